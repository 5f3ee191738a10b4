/**
 * Point models for device simulators: one engineering value per point as a
 * function of simulated minutes. Runtime-neutral (runs in XS too).
 */
import type { SimulationSpec } from '../../drivers/devices/manifest.js';
import type { PointModel } from './model.js';
import { AxonError } from '../../drivers/errors.js';
import { constantModel } from './constant.js';
import { randomWalkModel } from './random-walk.js';
import { sineModel } from './sine.js';
import { stormModel } from './storm.js';
import { fireModel } from './fire.js';
import { alarmModel } from './alarm.js';
import { pressureDropModel } from './pressure-drop.js';
import { counterModel } from './counter.js';

export type { PointModel } from './model.js';
export { constantModel, randomWalkModel, sineModel, stormModel, fireModel, alarmModel, pressureDropModel, counterModel };
export { mulberry32, hashUnit, seedFromString } from './prng.js';

/** Build the model a manifest point's `sim` describes; `seed` fixes its noise. */
export function createPointModel(spec: SimulationSpec, seed: number): PointModel {
  switch (spec.model) {
    case 'constant':
      return constantModel(spec);
    case 'random-walk':
      return randomWalkModel(spec, seed);
    case 'sine':
      return sineModel(spec, seed);
    case 'storm':
      return stormModel(spec, seed);
    case 'fire':
      return fireModel(spec, seed);
    case 'alarm':
      return alarmModel(spec);
    case 'threshold':
      // Depends on another point's value: the device simulator evaluates it (device-sim.ts).
      throw new AxonError('SIM_DERIVED_MODEL', `the threshold model watches point '${spec.point}' and needs its device`, {
        fix: 'evaluate it through DeviceSimulator, which knows the other points',
      });
    case 'pressure-drop':
      return pressureDropModel(spec, seed);
    case 'counter':
      return counterModel(spec);
    default: {
      // Manifests are schema-checked before they get here; this guards hand-built specs.
      const unknown: { model?: unknown } = spec;
      throw new AxonError('SIM_UNKNOWN_MODEL', `unknown simulation model "${String(unknown.model)}"`, {
        fix: 'use one of constant, random-walk, sine, storm, fire, alarm, threshold, pressure-drop, counter',
      });
    }
  }
}
