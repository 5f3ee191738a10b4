/** `axon lorawan encode`: build an encrypted, MIC-signed LoRaWAN 1.0.x data uplink (ABP session keys). */
import { fromHex, toHex } from '../../../drivers/bytes.js';
import { dataMType, encodeDataFrame } from '../../../drivers/lorawan/index.js';
import { NodeBlockCipher } from '../../../firmware/rpi/ports/node-cipher.js';
import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { hexNumber, requiredHexFlag } from './lorawan-flags.js';

export const lorawanEncode: Command = {
  group: 'lorawan',
  name: 'encode',
  summary: 'build a data uplink PHYPayload (encrypted payload + MIC) from session keys',
  usage: '--devaddr <8 hex> --nwkskey <32 hex> --appskey <32 hex> --fcnt <n> --fport <n> --payload <hex> [--confirmed] [--adr] [--ack]',
  flags: {
    devaddr: { type: 'string', value: '<8 hex>', description: 'device address, most significant first as the network server shows it', required: true },
    nwkskey: { type: 'string', value: '<32 hex>', description: 'network session key (MIC, and encryption on FPort 0)', required: true },
    appskey: { type: 'string', value: '<32 hex>', description: 'application session key (encrypts FPort 1–255)', required: true },
    fcnt: { type: 'string', value: '<n>', description: 'uplink frame counter, full 32 bits (16 go on the air, all 32 enter MIC and encryption)', required: true },
    fport: { type: 'string', value: '<n>', description: 'FPort 0–255 (0 = MAC commands, 1–223 application)', required: true },
    payload: { type: 'string', value: '<hex>', description: 'application payload, cleartext hex', required: true },
    confirmed: { type: 'boolean', description: 'confirmed data up (MType 100) instead of unconfirmed (010)' },
    adr: { type: 'boolean', description: 'set FCtrl.ADR' },
    ack: { type: 'boolean', description: 'set FCtrl.ACK (acknowledges a confirmed downlink)' },
  },
  details: 'Prints the PHYPayload as hex (MHDR … MIC), ready for a packet forwarder or `axon lorawan decode`.',
  examples: [
    'axon lorawan encode --devaddr 01020304 --nwkskey 0102030405060708090a0b0c0d0e0f10 --appskey 100f0e0d0c0b0a090807060504030201 --fcnt 0 --fport 10 --confirmed --payload 01020304',
  ],

  async run({ flags }, io) {
    const devAddr = hexNumber(requiredHexFlag(flags, 'devaddr', 4));
    const nwkSKey = requiredHexFlag(flags, 'nwkskey', 16);
    const appSKey = requiredHexFlag(flags, 'appskey', 16);
    const fCnt = flags.requiredInt('fcnt', { min: 0, max: 0xffffffff });
    const fPort = flags.requiredInt('fport', { min: 0, max: 255 });
    let payload: Uint8Array;
    try {
      payload = fromHex(flags.requiredString('payload'));
    } catch (error) {
      if (error instanceof RangeError) throw new UsageError(`--payload: ${error.message}`, flags.command);
      throw error;
    }
    const frame = encodeDataFrame(new NodeBlockCipher(), {
      mType: dataMType(flags.bool('confirmed'), 'up'),
      devAddr,
      fCnt,
      fCtrl: { adr: flags.bool('adr'), ack: flags.bool('ack') },
      fPort,
      payload,
    }, { nwkSKey, appSKey });
    io.out(toHex(frame));
    return 0;
  },
};
