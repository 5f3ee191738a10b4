/**
 * Time on air, the budget every regional rule is written in (duty cycle,
 * dwell time). LoRa per Semtech's modem formula (SX1272/6 datasheets, AN1200.13):
 *
 *   Tsym     = 2^SF / BW
 *   Tpreamble = (Npreamble + 4.25) · Tsym
 *   Npayload = 8 + max(ceil((8·PL − 4·SF + 28 + 16·CRC − 20·IH) / (4·(SF − 2·DE))) · (CR + 4), 0)
 *
 * LoRaWAN frames use explicit header (IH = 0), CRC on (uplinks), coding rate
 * 4/5 (CR = 1), 8 preamble symbols, and low-data-rate optimisation (DE = 1)
 * for SF11 and SF12 at 125 kHz.
 */
import { LorawanFieldError } from './errors.js';

export interface LoraAirtimeParams {
  /** Spreading factor 5–12. */
  sf: number;
  /** Bandwidth in kHz (LoRaWAN uses 125, 250, 500). */
  bw: number;
  /** PHYPayload length in bytes (application payload + 13 for a frame without FOpts). */
  phyPayloadBytes: number;
  /** 1–4 for coding rate 4/5–4/8 (default 1). */
  codingRate?: number;
  /** Programmed preamble symbols (default 8). */
  preambleSymbols?: number;
  /** Default true (LoRaWAN always sends the header). */
  explicitHeader?: boolean;
  /** Default true; LoRaWAN downlinks are sent without payload CRC. */
  crc?: boolean;
  /** Default: on for SF11/SF12 at 125 kHz, as LoRaWAN devices do. */
  lowDataRateOptimize?: boolean;
}

export function loraTimeOnAirMs(params: LoraAirtimeParams): number {
  const { sf, bw, phyPayloadBytes: pl } = params;
  if (!Number.isInteger(sf) || sf < 5 || sf > 12) throw new LorawanFieldError('sf', `spreading factor ${sf} is not 5–12`, 'LoRaWAN uses SF7–SF12');
  if (!(bw > 0)) throw new LorawanFieldError('bw', `bandwidth ${bw} kHz is not positive`, 'LoRaWAN uses 125, 250 or 500 kHz');
  if (!Number.isInteger(pl) || pl < 0 || pl > 255) throw new LorawanFieldError('phyPayloadBytes', `${pl} is not 0–255`, 'a LoRa packet carries at most 255 bytes');
  const cr = params.codingRate ?? 1;
  const ih = params.explicitHeader === false ? 1 : 0;
  const crc = params.crc === false ? 0 : 1;
  const de = (params.lowDataRateOptimize ?? (bw === 125 && sf >= 11)) ? 1 : 0;
  const tSym = 2 ** sf / bw; // ms, since bw is in kHz
  const preamble = ((params.preambleSymbols ?? 8) + 4.25) * tSym;
  const blocks = Math.ceil((8 * pl - 4 * sf + 28 + 16 * crc - 20 * ih) / (4 * (sf - 2 * de)));
  const payloadSymbols = 8 + Math.max(blocks * (cr + 4), 0);
  return preamble + payloadSymbols * tSym;
}

/**
 * LoRaWAN FSK (50 kbps): 5 preamble bytes, 3 sync bytes, a length byte, the
 * payload and a 2-byte CRC, each bit 1/bitRate long.
 */
export function fskTimeOnAirMs(phyPayloadBytes: number, bitRate = 50_000): number {
  return ((5 + 3 + 1 + phyPayloadBytes + 2) * 8 * 1000) / bitRate;
}

/** LoRaWAN frame overhead without FOpts: MHDR 1, FHDR 7, FPort 1, MIC 4. */
export const FRAME_OVERHEAD_BYTES = 13;
