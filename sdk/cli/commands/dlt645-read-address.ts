/**
 * `axon dlt645 read-address`: ask the only meter on the line for its address
 * (DL/T 645-2007 control 13 to AAAAAAAAAAAA). The error messages of the core
 * point here when a meter stays silent, so it exists as its own command.
 */
import type { Command } from '../command.js';
import { DLT645_LINK_FLAGS, openDlt645, whereText } from './dlt645-read.js';

export const dlt645ReadAddress: Command = {
  group: 'dlt645',
  name: 'read-address',
  summary: 'ask the only meter on the line for its 12-digit address',
  usage: '--port <tty path> [options]',
  flags: {
    ...DLT645_LINK_FLAGS,
    edition: { type: 'string', value: '<2007|1997>', description: 'DL/T 645 edition: 2007 uses control 13, 1997 reads DI C032 at the wildcard address', default: '2007' },
    json: { type: 'boolean', description: 'print {"address":"…"} on stdout' },
  },
  details: 'Every meter on the line answers the wildcard address, so connect only one meter while running this.',
  examples: ['axon dlt645 read-address --port /dev/ttyUSB0'],

  async run({ flags }, io) {
    const version = flags.oneOf('edition', ['2007', '1997'], '2007');
    const json = flags.bool('json');
    const session = await openDlt645(flags, 'dlt645 read-address');
    try {
      const address = await session.client.readAddress({ version });
      io.out(json ? JSON.stringify({ address }) : `meter address: ${address} (via ${whereText(session)})`);
      return 0;
    } finally {
      await session.close();
    }
  },
};
