/**
 * A short soak (12 h of virtual time: device drops, noise bursts, an uplink
 * outage, lost messages) loses no reading; and the reconciliation does see a
 * loss when the far side throws acknowledged messages away.
 */
import test from 'ava';
import { runSoak } from './soak.js';

test.serial('12 h of the demo site with faults: every reading taken is decoded at the far side', async (t) => {
  const r = await runSoak({ hours: 12 });
  t.true(r.faults.deviceDrops >= 3 && r.faults.noiseWindows >= 5 && r.faults.outages === 1, JSON.stringify(r.faults));
  t.true(r.faults.damagedChunks > 0 && r.faults.lostMessages > 0, 'the noise and the losses really happened');
  t.true(r.samples > 50_000, `${r.samples} readings taken`);
  t.is(r.readingsLost, 0);
  t.is(r.readingsDuplicated, 0);
  t.is(r.readingsDecoded, r.samples);
  t.is(r.gatewayErrors, 0);
});

test.serial('the reconciliation counts readings the far side lost after acknowledging them', async (t) => {
  const r = await runSoak({ hours: 3, discardAcknowledged: 2 });
  t.true(r.readingsLost > 0);
  t.is(r.readingsDecoded + r.readingsLost, r.samples);
});
