/** `axon decode cjt188 <hex>`: every field of one CJ/T 188 (water/gas/heat meter) frame, as JSON. */
import { describeCjt188Frame } from '../../../drivers/cjt188/index.js';
import type { Command } from '../command.js';
import { hexFromPositionals } from './hex-input.js';

export const decodeCjt188: Command = {
  group: 'decode',
  name: 'cjt188',
  summary: 'decode a CJ/T 188 frame to JSON: meter type, address, control, DI, 901F record, checksum',
  usage: '<hex> [--compact]',
  positionals: '<hex>  the frame, with or without FE preamble; quote it if it has spaces, or pass the bytes as separate words',
  flags: {
    compact: { type: 'boolean', description: 'print the JSON on one line' },
  },
  details: 'Both DI byte orders (90 1F and 1F 90) are accepted; diOrder says which one the frame used.',
  examples: ['axon decode cjt188 "68 10 12 00 00 00 00 00 00 01 03 90 1F 00 3D 16"'],

  async run({ flags, positionals }, io) {
    const description = describeCjt188Frame(hexFromPositionals(positionals, 'decode cjt188'));
    io.out(JSON.stringify(description, null, flags.bool('compact') ? undefined : 2));
    return 0;
  },
};
