/**
 * The per-gateway channel limit (LIMITS.channels): a Pi with 8 RS-485 buses
 * serves 1,000 devices of 10 points, 10,000 channels. Such a table is built,
 * and readings of channels beyond the old 4,096 are framed and decode back
 * exactly; a site over the limit is still refused with its count.
 */
import { test } from '../../test/kit/core-test.js';
import { decodeMessage } from './decode.js';
import { BatchEncoder } from './encoder.js';
import { buildChannelTable, quantize } from './channels.js';
import { LIMITS } from './format.js';
import { thousandDeviceSite, tenRegisterManifest } from './test-support.js';

const T0 = Date.UTC(2026, 6, 15, 8);
const manifests = new Map([['ten-registers', tenRegisterManifest()]]);

test('1,000 devices × 10 points: 10,000 channels are numbered, framed and decoded', (t) => {
  const table = buildChannelTable(thousandDeviceSite(), manifests);
  t.is(table.channels.length, 10_000);
  t.is(table.channels[9_999].device, 'b8-u125');
  t.is(table.channels[9_999].point, 'value_9');
  const encoder = new BatchEncoder(table);
  const picked = [0, 4_095, 4_096, 5_000, 9_999];
  for (const [i, index] of picked.entries()) {
    const channel = table.channels[index];
    encoder.add({ device: channel.device, point: channel.point, t: T0 + 1000, value: 100 + i + 0.1 });
  }
  const frames = encoder.flush(242);
  t.is(encoder.pending, 0);
  const decoded = frames.flatMap((frame) => {
    const message = decodeMessage(frame, table);
    return message.type === 'batch' ? message.readings : [];
  });
  t.deepEqual(
    decoded.map((r) => [r.channel, r.device, r.point, r.value]),
    picked.map((index, i) => [index, table.channels[index].device, table.channels[index].point, quantize(table.channels[index], 100 + i + 0.1)]),
  );
});

test('a site over the channel limit is refused, naming the count and the limit', (t) => {
  const site = thousandDeviceSite();
  // Enough buses of 125 ten-point units to pass the limit by one bus.
  const busesNeeded = Math.floor(LIMITS.channels / 1250) + 1;
  const template = site.buses[0];
  site.buses = [];
  for (let b = 0; b < busesNeeded; b++) site.buses.push({ ...template, id: `rs485-${b}`, port: `/dev/ttyUSB${b}`, devices: template.devices.map((d) => ({ ...d, id: `${b}-${d.id}` })) });
  const error = t.throws(() => buildChannelTable(site, manifests), { code: 'BATCH_TOO_MANY_CHANNELS' }) as Error;
  const said = `${busesNeeded * 1250} channels; the format numbers at most ${LIMITS.channels}`;
  t.is(error.message.slice(0, said.length), said);
});
