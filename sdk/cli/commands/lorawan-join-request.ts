/** `axon lorawan join-request`: the OTAA join request a device with these credentials sends. */
import { toHex } from '../../../drivers/bytes.js';
import { encodeJoinRequest } from '../../../drivers/lorawan/index.js';
import { NodeBlockCipher } from '../../../firmware/rpi/ports/node-cipher.js';
import type { Command } from '../command.js';
import { hexNumber, requiredHexFlag } from './lorawan-flags.js';

export const lorawanJoinRequest: Command = {
  group: 'lorawan',
  name: 'join-request',
  summary: 'build an OTAA join request PHYPayload (MIC with the AppKey)',
  usage: '--appkey <32 hex> --joineui <16 hex> --deveui <16 hex> --devnonce <4 hex>',
  flags: {
    appkey: { type: 'string', value: '<32 hex>', description: 'root key (AppKey) the MIC is computed with', required: true },
    joineui: { type: 'string', value: '<16 hex>', description: 'JoinEUI (AppEUI), most significant first as printed', required: true },
    deveui: { type: 'string', value: '<16 hex>', description: 'DevEUI, most significant first as printed on the label', required: true },
    devnonce: { type: 'string', value: '<4 hex>', description: 'DevNonce, most significant first (sent little-endian); never reuse one', required: true },
  },
  details: 'Prints the 23-byte PHYPayload as hex. EUIs and DevNonce are reversed on the air; give them as people write them.',
  examples: [
    'axon lorawan join-request --appkey 2b7e151628aed2a6abf7158809cf4f3c --joineui 70b3d57ed0000000 --deveui 0004a30b001c0530 --devnonce 0102',
  ],

  async run({ flags }, io) {
    const frame = encodeJoinRequest(new NodeBlockCipher(), {
      joinEui: requiredHexFlag(flags, 'joineui', 8),
      devEui: requiredHexFlag(flags, 'deveui', 8),
      devNonce: hexNumber(requiredHexFlag(flags, 'devnonce', 2)),
    }, requiredHexFlag(flags, 'appkey', 16));
    io.out(toHex(frame));
    return 0;
  },
};
