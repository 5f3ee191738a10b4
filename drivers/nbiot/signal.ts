/**
 * Radio figures a field engineer asks for first: AT+CSQ (coarse, 3GPP) and
 * AT+NUESTATS (Quectel/Neul: RSRP, SINR, cell, coverage class). NUESTATS values
 * come in centibels ("Signal power:-767" is -76.7 dBm).
 */
import { afterPrefix, badReply, splitArgs } from './at-args.js';

export interface SignalQuality {
  /** CSQ rssi index 0–31, 99 = unknown. */
  rssiIndex: number;
  /** Received signal strength in dBm (-113 … -51), undefined when unknown. */
  rssiDbm: number | undefined;
  /** Bit error rate class 0–7, undefined when unknown (NB-IoT modules always say 99). */
  ber: number | undefined;
}

export function parseCsq(lines: readonly string[], command = 'AT+CSQ'): SignalQuality {
  for (const line of lines) {
    const match = /^(\d{1,2}),(\d{1,2})$/.exec((afterPrefix(line, '+CSQ') ?? line).replace(/\s/g, ''));
    if (match === null) continue;
    const rssiIndex = Number(match[1]);
    const berIndex = Number(match[2]);
    if (rssiIndex > 31 && rssiIndex !== 99) continue;
    return {
      rssiIndex,
      rssiDbm: rssiIndex === 99 ? undefined : -113 + 2 * rssiIndex,
      ber: berIndex <= 7 ? berIndex : undefined,
    };
  }
  throw badReply(command, 'expected "+CSQ:<rssi>,<ber>"', lines[0]);
}

export interface UeStats {
  /** Reference signal received power, dBm ("Signal power"). */
  rsrpDbm?: number;
  totalPowerDbm?: number;
  txPowerDbm?: number;
  rsrqDb?: number;
  /** Signal to interference plus noise, dB ("SNR"). */
  sinrDb?: number;
  /** Serving cell id as the module prints it (decimal on BC95). */
  cellId?: string;
  /** Coverage enhancement level 0–2: 2 means deep indoor, long airtime and battery drain. */
  ecl?: number;
  earfcn?: number;
  pci?: number;
  band?: number;
}

type Field = { key: keyof UeStats; scale?: number; text?: boolean };

/** Keys as BC95/BC28 print them, in lower case. */
const FIELDS: Readonly<Record<string, Field>> = {
  'signal power': { key: 'rsrpDbm', scale: 10 },
  'total power': { key: 'totalPowerDbm', scale: 10 },
  'tx power': { key: 'txPowerDbm', scale: 10 },
  rsrq: { key: 'rsrqDb', scale: 10 },
  snr: { key: 'sinrDb', scale: 10 },
  'cell id': { key: 'cellId', text: true },
  ecl: { key: 'ecl' },
  earfcn: { key: 'earfcn' },
  pci: { key: 'pci' },
  'current band': { key: 'band' },
};

/**
 * Accepts the classic "Key:value" lines and the newer "NUESTATS:RADIO,Key,value"
 * form (which reaches us as "RADIO,Key,value" once the engine strips the prefix).
 * Unknown keys are ignored so firmware additions do not break parsing.
 */
export function parseNuestats(lines: readonly string[]): UeStats {
  const stats: UeStats = {};
  for (const line of lines) {
    let key: string;
    let value: string;
    const colon = line.indexOf(':');
    if (colon > 0) {
      key = line.slice(0, colon);
      value = line.slice(colon + 1);
    } else {
      const parts = splitArgs(line);
      if (parts.length < 3) continue;
      key = parts[1];
      value = parts[2];
    }
    const field = FIELDS[key.trim().toLowerCase()];
    if (field === undefined) continue;
    const text = value.trim();
    if (field.text === true) {
      if (text.length > 0) (stats as Record<string, unknown>)[field.key] = text;
      continue;
    }
    if (!/^-?\d{1,10}$/.test(text)) continue;
    (stats as Record<string, unknown>)[field.key] = Number(text) / (field.scale ?? 1);
  }
  return stats;
}
