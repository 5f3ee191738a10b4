/**
 * The regional parameters the MAC asks about (LoRaWAN Regional Parameters
 * RP002). One object per region; every frequency is in Hz, every data rate is
 * the region's DR index.
 */
import type { Region as RegionName } from '../../gateway/site.js';

export type { RegionName };

export type DataRate =
  | { modulation: 'lora'; /** Spreading factor 7–12. */ sf: number; /** kHz. */ bw: 125 | 250 | 500 }
  | { modulation: 'fsk'; /** Bits per second. */ bitRate: number };

export interface Channel {
  /** Channel index as used by LinkADRReq channel masks. */
  index: number;
  /** Centre frequency, Hz. */
  frequency: number;
  minDr: number;
  maxDr: number;
}

export interface SubBand {
  name: string;
  /** Hz, inclusive. */
  minFrequency: number;
  /** Hz, exclusive. */
  maxFrequency: number;
  /** Fraction of time a device may transmit here (0.01 = 1 %); 1 when the region sets no limit. */
  dutyCycle: number;
}

export interface RxWindow {
  frequency: number;
  dataRate: number;
}

export interface DwellOptions {
  /**
   * Dwell-time limit in force, ms: 0 = none, 400 = 400 ms per transmission
   * (AS923 where required by the country, set by TxParamSetupReq). Only
   * AS923 changes with it; US915 uplinks are always limited.
   */
  dwellTime?: 0 | 400;
}

export interface Region {
  readonly name: RegionName;
  /** Default maximum EIRP, dBm. */
  readonly maxEirpDbm: number;
  /** Data rates a device may use for uplinks, lowest first. */
  readonly uplinkDataRates: readonly number[];
  /** Largest RX1DROffset the region defines. */
  readonly maxRx1DrOffset: number;
  /** Max application payload N (FRMPayload without FOpts) at `dr`; throws LORAWAN_REGION where the DR is not usable. */
  maxPayload(dr: number, options?: DwellOptions): number;
  dataRate(dr: number): DataRate;
  /** The channels a device may use before the network adds or masks any (after a join / at ABP start). */
  uplinkChannels(): readonly Channel[];
  subBandOf(frequency: number): SubBand | undefined;
  /** The duty-cycle fraction at `frequency`; throws LORAWAN_REGION outside the region's band. */
  dutyCycleOf(frequency: number): number;
  /** Per-transmission dwell-time limit in ms, or undefined when none applies. */
  maxDwellTimeMs(options?: DwellOptions): number | undefined;
  /** RX1 window for an uplink at `dr` on `frequency` with the given RX1DROffset. */
  rx1(dr: number, offset: number, frequency: number, options?: DwellOptions): RxWindow;
  rx2Default(): RxWindow;
}
