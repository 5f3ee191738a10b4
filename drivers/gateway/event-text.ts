/**
 * One line of text per gateway event worth a console or journal line, the
 * same on every host (the ESP32's serial console, the Pi's journald).
 * Successful polls are not worth one: there are thousands an hour. A poll
 * with failed points names each cause (timeout, CRC, exception, late reply).
 */
import type { GatewayEvent } from './gateway.js';
import { describePollFailures, failedPointCount, summarizePollFailures } from './poll-failure.js';

export function describeEvent(event: GatewayEvent): string | undefined {
  switch (event.kind) {
    case 'alert': {
      const { alert } = event;
      return `ALERT ${alert.level} ${alert.state} ${alert.rule}${alert.value === undefined ? '' : ` (${String(alert.value)})`}`;
    }
    case 'poll': {
      // Counted without allocating first: almost every poll succeeds.
      if (failedPointCount(event.poll.readings) === 0) return undefined;
      const summary = summarizePollFailures(event.poll);
      return summary === undefined ? undefined : `poll ${event.poll.device}: ${describePollFailures(summary)}`;
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
