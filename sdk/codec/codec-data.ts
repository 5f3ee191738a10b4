/**
 * The `data` a generated codec's decodeUplink gives for a message, from the
 * sdk decoder's result: ISO times instead of unix ms, otherwise the same
 * fields. Tests hold the two implementations to it. Runtime-neutral.
 */
import type { DecodedAlert } from '../../drivers/batch/alert.js';
import type { DecodedMessage } from '../../drivers/batch/decode.js';

export type CodecData = Record<string, unknown> & { type: DecodedMessage['type'] };

const iso = (ms: number) => new Date(ms).toISOString();

function timedAlert({ t, ...alert }: DecodedAlert): Record<string, unknown> {
  return { ...alert, time: iso(t) };
}

export function asCodecData(message: DecodedMessage): CodecData {
  switch (message.type) {
    case 'batch': {
      const readings = message.readings.map((r) => ({ channel: r.channel, time: iso(r.t), device: r.device, point: r.point, unit: r.unit, value: r.value }));
      return message.seq === undefined ? { type: 'batch', readings } : { type: 'batch', readings, seq: message.seq, ackRequested: message.ackRequested };
    }
    case 'alert':
      return { type: 'alert', alert: timedAlert(message.alert) };
    case 'alerts':
      return { type: 'alerts', alerts: message.alerts.map(timedAlert) };
    default: {
      const { t, ...status } = message.status;
      return { type: 'status', status: { time: iso(t), ...status } };
    }
  }
}
