/**
 * Past the old 4,096-channel limit: the generated network-server codec of a
 * 1,000-device site (10,000 channels) decodes frames with channel numbers up
 * to 9,999 exactly as the SDK decoder does.
 */
import test from 'ava';
import { BatchEncoder, buildChannelTable, decodeMessage } from '../../drivers/batch/index.js';
import { tenRegisterManifest, thousandDeviceSite } from '../../drivers/batch/test-support.js';
import { generateCodec } from './index.js';

type Codec = (input: { bytes: number[]; fPort: number }) => { data?: { readings?: Array<{ channel: number; device: string; point: string; value: unknown }> }; errors?: string[] };

test('the generated codec of a 10,000-channel site decodes channels beyond 4,095', (t) => {
  const table = buildChannelTable(thousandDeviceSite(), new Map([['ten-registers', tenRegisterManifest()]]));
  const codec = new Function(`${generateCodec(table, { name: 'thousand-devices' })}\nreturn decodeUplink;`)() as Codec;
  const encoder = new BatchEncoder(table);
  const t0 = Date.UTC(2026, 6, 15, 8);
  for (const index of [1, 4_096, 7_777, 9_999]) encoder.add({ device: table.channels[index].device, point: table.channels[index].point, t: t0, value: index / 10 });
  const [frame] = encoder.flush(242);
  const sdk = decodeMessage(frame, table);
  const got = codec({ bytes: [...frame], fPort: 10 });
  t.is(got.errors, undefined);
  t.deepEqual(
    got.data?.readings?.map((r) => [r.channel, r.device, r.point, r.value]),
    sdk.type === 'batch' ? sdk.readings.map((r) => [r.channel, r.device, r.point, r.value]) : [],
  );
  t.deepEqual(got.data?.readings?.map((r) => r.channel), [1, 4_096, 7_777, 9_999]);
});
