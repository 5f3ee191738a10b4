/**
 * The gateway's events as log records: the sentence the console has always
 * printed (event-text.ts) as `msg`, the level it deserves, an `event` name and
 * the details as fields (a failed poll's reasons, an alert's rule and level).
 * Successful polls return at the first test and allocate nothing; a failed
 * poll is summarised only when warnings are logged at all.
 */
import { describeEvent } from '../../../drivers/gateway/event-text.js';
import type { GatewayEvent } from '../../../drivers/gateway/gateway.js';
import { describePollFailures, failedPointCount, summarizePollFailures } from '../../../drivers/gateway/poll-failure.js';
import type { HostLog } from './host-log.js';

export function logGatewayEvent(log: HostLog, event: GatewayEvent): void {
  switch (event.kind) {
    case 'poll': {
      if (failedPointCount(event.poll.readings) === 0 || !log.enabled('warn')) return;
      const summary = summarizePollFailures(event.poll);
      if (summary === undefined) return;
      log.warn('poll-failed', `poll ${summary.device}: ${describePollFailures(summary)}`, {
        bus: summary.bus,
        device: summary.device,
        failed: summary.failed,
        points: summary.total,
        reasons: summary.groups.map((g) => ({ reason: g.reason, code: g.code, ...(g.exception === undefined ? {} : { exception: g.exception }), points: g.points, message: g.message })),
      });
      return;
    }
    case 'alert': {
      const { alert } = event;
      const fields = { rule: alert.rule, device: alert.device, point: alert.point, alarmLevel: alert.level, state: alert.state, value: alert.value };
      const line = describeEvent(event) ?? '';
      if (alert.state === 'raised') log.warn('alert', line, fields);
      else log.info('alert', line, fields);
      return;
    }
    case 'sent':
      log.info('sent', describeEvent(event) ?? '', { what: event.what, bytes: event.bytes });
      return;
    case 'uplink-failed':
      log.warn('uplink-failed', describeEvent(event) ?? '', { code: (event.error as { code?: string }).code });
      return;
    case 'downlink':
      log.info('downlink', describeEvent(event) ?? '', { downlink: event.downlink.kind });
      return;
    case 'notice':
      log.info('notice', event.message, { code: event.code });
      return;
    case 'error':
      log.error('error', describeEvent(event) ?? '', { code: (event.error as { code?: string }).code });
      return;
  }
}
