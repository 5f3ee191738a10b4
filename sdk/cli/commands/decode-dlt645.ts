/** `axon decode dlt645 <hex>`: every field of one DL/T 645 frame, as JSON. */
import { describeDlt645Frame } from '../../../drivers/dlt645/index.js';
import type { Command } from '../command.js';
import { hexFromPositionals } from './hex-input.js';

export const decodeDlt645: Command = {
  group: 'decode',
  name: 'dlt645',
  summary: 'decode a DL/T 645 frame (request or reply) to JSON: address, control, DI, value, checksum',
  usage: '<hex> [--edition 2007|1997] [--compact]',
  positionals: '<hex>  the frame, with or without FE preamble; quote it if it has spaces, or pass the bytes as separate words',
  flags: {
    edition: { type: 'string', value: '<2007|1997>', description: 'DL/T 645 edition; by default guessed from the control code' },
    compact: { type: 'boolean', description: 'print the JSON on one line' },
  },
  details: 'The data field is shown with the 0x33 offset removed (data) and as sent (rawData). A bad checksum is reported (checksumOk false), not refused.',
  examples: [
    'axon decode dlt645 "68 14 01 00 31 82 21 68 91 08 33 33 34 33 39 33 33 33 F1 16"',
    'axon decode dlt645 68 61 01 00 00 00 00 68 11 04 33 33 34 33 14 16',
  ],

  async run({ flags, positionals }, io) {
    const bytes = hexFromPositionals(positionals, 'decode dlt645');
    const edition = flags.has('edition') ? flags.oneOf('edition', ['2007', '1997'], '2007') : undefined;
    const description = describeDlt645Frame(bytes, edition === undefined ? {} : { version: edition });
    io.out(JSON.stringify(description, null, flags.bool('compact') ? undefined : 2));
    return 0;
  },
};
