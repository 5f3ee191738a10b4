/**
 * One line of text per gateway event worth a console or journal line, the
 * same on every host (the ESP32's serial console, the Pi's journald).
 * Successful polls are not worth one: there are thousands an hour.
 */
import type { GatewayEvent } from './gateway.js';

export function describeEvent(event: GatewayEvent): string | undefined {
  switch (event.kind) {
    case 'alert': {
      const { alert } = event;
      return `ALERT ${alert.level} ${alert.state} ${alert.rule}${alert.value === undefined ? '' : ` (${String(alert.value)})`}`;
    }
    case 'poll': {
      const points = Object.keys(event.poll.readings);
      const failed = points.filter((point) => !event.poll.readings[point].ok);
      return failed.length === 0 ? undefined : `poll ${event.poll.device}: ${failed.length}/${points.length} points failed (${failed.join(', ')})`;
    }
    case 'sent':
      return `sent ${event.what}, ${event.bytes} B`;
    case 'uplink-failed':
      return `uplink failed: ${event.error.message}`;
    case 'downlink':
      return `downlink ${event.downlink.kind}`;
    case 'notice':
      return event.message;
    case 'error':
      return `error: ${event.error.message}`;
  }
}
