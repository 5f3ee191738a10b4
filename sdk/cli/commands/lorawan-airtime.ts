/** `axon lorawan airtime`: time on air of one uplink, the unit duty cycle and dwell limits are counted in. */
import { FRAME_OVERHEAD_BYTES, loraTimeOnAirMs } from '../../../drivers/lorawan/index.js';
import type { Command } from '../command.js';

export const lorawanAirtime: Command = {
  group: 'lorawan',
  name: 'airtime',
  summary: 'time on air of an uplink in milliseconds (LoRa, explicit header, CRC on, CR 4/5)',
  usage: '--sf <7-12> --bw <125|250|500> --payload-bytes <n>',
  flags: {
    sf: { type: 'string', value: '<7-12>', description: 'spreading factor', required: true },
    bw: { type: 'string', value: '<125|250|500>', description: 'bandwidth in kHz', required: true },
    'payload-bytes': { type: 'string', value: '<n>', description: `application payload bytes; the PHYPayload is ${FRAME_OVERHEAD_BYTES} more (no FOpts)`, required: true },
    json: { type: 'boolean', description: 'print {"timeOnAirMs": n} instead of "n ms"' },
  },
  details: [
    'Prints the time on air with its unit ("2793.472 ms"); --json prints {"timeOnAirMs": …} for scripts. Low-data-rate optimisation is on for SF11/SF12 at 125 kHz, as LoRaWAN devices use it.',
    'At 1 % duty cycle a device may spend 36 s per hour on air in an EU868 sub-band.',
  ].join('\n'),
  examples: ['axon lorawan airtime --sf 12 --bw 125 --payload-bytes 51', 'axon lorawan airtime --sf 7 --bw 125 --payload-bytes 0'],

  async run({ flags }, io) {
    const sf = flags.requiredInt('sf', { min: 7, max: 12 });
    flags.requiredString('bw');
    const bw = Number(flags.oneOf('bw', ['125', '250', '500'], '125'));
    const bytes = flags.requiredInt('payload-bytes', { min: 0, max: 255 - FRAME_OVERHEAD_BYTES });
    const ms = loraTimeOnAirMs({ sf, bw, phyPayloadBytes: bytes + FRAME_OVERHEAD_BYTES });
    // Three decimals: the symbol time at SF7/500 kHz is 0.256 ms, so this is exact for every LoRaWAN setting.
    io.out(flags.bool('json') ? JSON.stringify({ timeOnAirMs: Number(ms.toFixed(3)) }) : `${ms.toFixed(3)} ms`);
    return 0;
  },
};
