/**
 * ns.frames_per_second: how many uplinks per second the network-server
 * simulator's per-frame work sustains on Node — lora-packet MIC check with
 * the full 32-bit FCnt, lora-packet decryption, and the batch decoder
 * (sdk/codec decodeUplink) — over realistic frames: the demo day's batch
 * frames cut at 242 and 51 bytes plus alerts, wrapped as LoRaWAN data frames
 * of 20 ABP devices with counters past 65,535. Every frame is checked to
 * decrypt to its payload and decode before timing.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeAlert } from '../../drivers/batch/alert.js';
import { bytesEqual } from '../../drivers/bytes.js';
import type { SiteFile } from '../../drivers/gateway/site.js';
import { encodeDataFrame, type SessionKeys } from '../../drivers/lorawan/data-frame.js';
import { NodeBlockCipher } from '../../firmware/rpi/ports/node-cipher.js';
import { decodeUplink } from '../../sdk/codec/decode-uplink.js';
import { loadManifestDirectory } from '../../sdk/manifest/validate.js';
import { lpDecryptData, lpVerifyDataMic } from '../../simulators/lorawan-ns/lora-packet-adapter.js';
import { timeOnNode } from '../node-timer.js';
import { frameBatch, generateDemoDay } from '../workloads/demo-day.js';
import type { Workload } from '../workloads/harness.js';
import type { Suite } from './common.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DEVICES = 20;
const FIRST_FCNT = 70_000;

interface UplinkCase {
  phy: Uint8Array;
  keys: SessionKeys;
  fCnt: number;
}

export const nsSuite: Suite = {
  name: 'ns',
  async run(context) {
    const manifests = new Map(loadManifestDirectory(path.join(root, 'manifests/devices')).map((m) => [m.id, m]));
    // The demo site has alert rules (the built-in fallback site has none).
    const site = JSON.parse(readFileSync(path.join(root, 'manifests/sites/demo.json'), 'utf8')) as SiteFile;
    const day = await generateDemoDay({ manifests, site });
    const alerts = day.table.rules.map((rule, i) =>
      encodeAlert({ rule: rule.id, device: rule.device, ...(rule.point === undefined ? {} : { point: rule.point }), level: 'warning', state: 'raised', t: day.samples[i].t, value: rule.point === undefined ? undefined : i, message: '' }, day.table));
    const payloads = [...frameBatch(day, 242, 30).all, ...frameBatch(day, 51, 30).all, ...alerts];

    const cipher = new NodeBlockCipher();
    const keys: SessionKeys[] = Array.from({ length: DEVICES }, (_, d) => ({
      nwkSKey: Uint8Array.from({ length: 16 }, (_, i) => (d * 31 + i * 7 + 1) & 0xff),
      appSKey: Uint8Array.from({ length: 16 }, (_, i) => (d * 17 + i * 13 + 5) & 0xff),
    }));
    const cases: UplinkCase[] = payloads.map((payload, i) => {
      const device = i % DEVICES;
      const fCnt = FIRST_FCNT + Math.floor(i / DEVICES);
      const phy = encodeDataFrame(cipher, { mType: 'unconfirmed-data-up', devAddr: 0x26000000 + device, fCnt, fPort: 10, payload }, keys[device]);
      return { phy, keys: keys[device], fCnt };
    });

    const handle = (c: UplinkCase) => {
      if (!lpVerifyDataMic(c.phy, c.keys.nwkSKey, c.fCnt)) throw new Error('MIC rejected');
      return decodeUplink(lpDecryptData(c.phy, c.keys, c.fCnt), day.table);
    };
    // A benchmark must never time broken code: every frame verifies, decrypts to its payload and decodes.
    cases.forEach((c, i) => {
      if (!bytesEqual(lpDecryptData(c.phy, c.keys, c.fCnt), payloads[i])) throw new Error(`frame ${i} does not decrypt to its payload`);
      handle(c);
    });

    let next = 0;
    let readings = 0;
    const workload: Workload = {
      kind: 'sync',
      description: 'verify + decrypt + decode one uplink',
      setup() {},
      once: () => handle(cases[0]),
      run(iterations) {
        for (let i = 0; i < iterations; i++) {
          const decoded = handle(cases[next]);
          if (decoded.type === 'batch') readings += decoded.readings.length;
          next = (next + 1) % cases.length;
        }
        return iterations;
      },
    };
    const timing = await timeOnNode(workload, context.nodeTimer);
    const bytes = cases.reduce((n, c) => n + c.phy.length, 0);
    context.emit({
      metric: 'ns.frames_per_second',
      value: Math.round(1e9 / timing.nsPerOp),
      unit: 'frames/s',
      frames: cases.length,
      mean_phy_bytes: Math.round((bytes / cases.length) * 10) / 10,
      ns_per_frame: Math.round(timing.nsPerOp),
      iterations: timing.iterations,
      rounds: timing.rounds,
      spread: Math.round(timing.spread * 1000) / 1000,
      readings_decoded: readings > 0,
      note: `lora-packet verifyMIC (32-bit FCnt) + lora-packet decrypt + sdk/codec decodeUplink per frame; ${cases.length} frames of ${DEVICES} ABP devices (demo-day batch frames at 242 and 51 bytes, alerts), FCnt from ${FIRST_FCNT}`,
    });
  },
};
