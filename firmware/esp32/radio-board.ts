/**
 * The board config's LoRaWAN part, checked against the site: a radio whose
 * chip covers the site's region, with the lines its type needs, and the keys
 * of the site's activation. Pure; compile-site.ts runs it through checkBoard.
 */
import type { UplinkConfig } from '../../drivers/gateway/site.js';
import { keyProblems } from '../../drivers/lorawan/mac/hex-credentials.js';
import { createRegion } from '../../drivers/lorawan/regions/index.js';
import { regionMismatch, SPI_RADIO_TYPES } from '../../drivers/radio/bands.js';
import { tcxoVoltageCode } from '../../drivers/radio/sx126x/commands.js';
import type { LorawanKeys, RadioWiring } from './board.js';

export function radioBoardProblems(uplink: Extract<UplinkConfig, { kind: 'lorawan' }>, radio: RadioWiring | undefined, keys: LorawanKeys | undefined): string[] {
  const problems: string[] = [];
  if (radio === undefined) {
    problems.push('the site sends over LoRaWAN and the board config has no radio (add radio: { type, spi, pins }; boards/heltec-wifi-lora-32-v3.json and boards/ttgo-lora32-v21.json carry the tables of two common boards)');
  } else if (!SPI_RADIO_TYPES.includes(radio.type)) {
    problems.push(`radio type '${String(radio.type)}' is not one of ${SPI_RADIO_TYPES.join(', ')}`);
  } else {
    const mismatch = regionMismatch(radio.type, createRegion(uplink.region));
    if (mismatch !== undefined) problems.push(`radio: ${mismatch.message} (${mismatch.fix})`);
    const sx126x = radio.type === 'sx1262' || radio.type === 'sx1268';
    const needed = sx126x ? (['busy', 'dio1'] as const) : (['dio0'] as const);
    for (const line of needed) if (radio.pins[line] === undefined) problems.push(`radio: an ${radio.type.toUpperCase()} needs pins.${line} (the module's ${line.toUpperCase()} line)`);
    if (radio.tcxo !== undefined && (!sx126x || tcxoVoltageCode(radio.tcxo.voltage) === undefined)) problems.push(`radio: tcxo ${sx126x ? `voltage ${String(radio.tcxo.voltage)} V is not one DIO3 supplies (1.6, 1.7, 1.8, 2.2, 2.4, 2.7, 3.0, 3.3)` : 'applies to SX126x only'}`);
  }
  const { missing, malformed } = keyProblems(uplink.activation, keys);
  if (missing.length > 0) problems.push(`the site joins by ${uplink.activation.toUpperCase()} and the board config's lorawan lacks ${missing.join(', ')} (as registered on the network server)`);
  if (malformed.length > 0) problems.push(`lorawan: malformed ${malformed.join(', ')}`);
  return problems;
}
