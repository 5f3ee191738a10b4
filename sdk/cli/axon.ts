/**
 * `axon`: the field engineer's command line. The process side only: stdout and
 * stderr, the exit code, EPIPE. Dispatching lives in main.ts.
 */
import { main } from './main.js';
import type { CommandIo } from './command.js';

const nodeIo: CommandIo = {
  out: (text) => process.stdout.write(text + '\n'),
  err: (text) => process.stderr.write(text + '\n'),
  errIsTty: process.stderr.isTTY === true,
};

// `axon … | head` closes stdout early; that is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const code = await main(process.argv.slice(2), nodeIo);
process.exitCode = code;
// Every command closes what it opened; should a native handle still linger, do not hang a script.
setTimeout(() => process.exit(code), 2000).unref();
