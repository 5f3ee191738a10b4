/**
 * The MQTT uplink's JSON format (host config `mqtt.format: "json"`, docs/mqtt.md):
 * each message the gateway sends, decoded with its channel table into JSON that
 * Telegraf, Node-RED or ThingsBoard read without Axon's codec. The store keeps
 * the compact binary (it is what survives a power cut, at the same size); the
 * JSON is made when the message is published, so at-least-once delivery and
 * "alerts first" work as in binary.
 *
 *   {"gateway":"gw-1","type":"readings","readings":[{"device":"underpass-longhua","point":"level","unit":"cm","time":"2026-05-01T08:00:00.000Z","value":12.5}]}
 *   {"gateway":"gw-1","type":"alerts","alerts":[{"rule":"smoke-pump-room-smoke","device":"smoke-pump-room","point":"smoke_alarm","level":"critical","state":"raised","time":"…","value":true}]}
 *   {"gateway":"gw-1","type":"status","status":{"time":"…","dropped":0,"queued":0}}
 *
 * A message that does not decode (it cannot happen with the gateway's own
 * table, but a lost message is worse than an odd one) goes out as
 * {"type":"undecoded","payload":"<hex>","error":"…"}.
 */
import type { ChannelTable } from '../../../drivers/batch/channels.js';
import { toHex } from '../../../drivers/bytes.js';
import { alertsIn, decodeUplink } from '../../../sdk/codec/decode-uplink.js';

export type MqttPayloadFormat = 'binary' | 'json';

const iso = (ms: number) => new Date(ms).toISOString();

function document(payload: Uint8Array, table: ChannelTable, gatewayId: string): Record<string, unknown> {
  const message = decodeUplink(payload, table);
  const base: Record<string, unknown> = { gateway: gatewayId };
  if (message.warnings.length > 0) base.warnings = message.warnings;
  switch (message.type) {
    case 'batch':
      return {
        ...base,
        type: 'readings',
        ...(message.seq === undefined ? {} : { seq: message.seq }),
        readings: message.readings.map((r) => ({ device: r.device, point: r.point, unit: r.unit, time: iso(r.t), value: r.value })),
      };
    case 'alert':
    case 'alerts':
      return {
        ...base,
        type: 'alerts',
        alerts: alertsIn(message).map((a) => ({
          rule: a.rule,
          device: a.device,
          ...(a.point === undefined ? {} : { point: a.point }),
          level: a.level,
          state: a.state,
          time: iso(a.t),
          ...(a.value === undefined ? {} : { value: a.value }),
          ...(a.clipped === true ? { clipped: true } : {}),
        })),
      };
    case 'status': {
      const { t, ...rest } = message.status;
      return { ...base, type: 'status', status: { time: iso(t), ...rest } };
    }
  }
}

/** The JSON bytes to publish for one uplink message. */
export function jsonPayload(payload: Uint8Array, table: ChannelTable, gatewayId: string): Uint8Array {
  let json: Record<string, unknown>;
  try {
    json = document(payload, table, gatewayId);
  } catch (error) {
    json = { gateway: gatewayId, type: 'undecoded', payload: toHex(payload), error: (error as Error).message };
  }
  return new TextEncoder().encode(JSON.stringify(json));
}
