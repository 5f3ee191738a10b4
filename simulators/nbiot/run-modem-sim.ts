/**
 * Serve the simulated NB-IoT modem on a virtual serial port (a socat pty pair):
 * the driver opens `endpoint` with serialport like a real BC95 on /dev/ttyUSB0,
 * the simulator answers on the other end through openSerialStream. An acking
 * server sits on the simulated network side.
 *
 *   node --import tsx simulators/nbiot/run-modem-sim.ts --pty /tmp/ttyNB0 [--no-echo]
 *        [--no-nsorf-prefix] [--no-coverage] [--attach-ms 20000] [--baud 9600] [--seed 1]
 */
import { pathToFileURL } from 'node:url';
import { NodeClock } from '../../firmware/rpi/ports/node-clock.js';
import { serveStreamOnPty } from '../pty-serve.js';
import { AxonAckServer } from './ack-server.js';
import { NbIotModemSimulator, type NbIotModemSimOptions } from './modem-sim.js';

export interface RunModemSimulatorOptions extends Omit<NbIotModemSimOptions, 'stream' | 'clock'> {
  /** Where to symlink the driver's end of the pty; default a fresh path in the temp directory. */
  pty?: string;
  /** Default 9600 (BC95 factory setting). */
  baud?: number;
  log?: (line: string) => void;
}

export interface RunningModemSimulator {
  /** The path the driver opens. */
  endpoint: string;
  simulator: NbIotModemSimulator;
  server: AxonAckServer;
  close(): Promise<void>;
}

export async function runModemSimulator(options: RunModemSimulatorOptions = {}): Promise<RunningModemSimulator> {
  const { pty: link, baud = 9600, log = () => undefined, ...simOptions } = options;
  return serveStreamOnPty(link, { baud }, (stream, endpoint) => {
    const clock = new NodeClock();
    const simulator = new NbIotModemSimulator({ ...simOptions, stream, clock });
    const server = new AxonAckServer();
    simulator.onUdp = (datagram, reply) => {
      log(`udp ${datagram.payload.length} bytes to ${datagram.ip}:${datagram.port}`);
      server.udpHandler(datagram, reply);
    };
    simulator.onPlatform = server.platformHandler;
    log(`simulated BC95-class modem on ${endpoint} at ${baud} 8N1 (echo ${simOptions.echo ?? true ? 'on' : 'off'}, coverage ${simOptions.coverage ?? true ? 'yes' : 'no'})`);
    return {
      simulator,
      server,
      async close() {
        simulator.close();
        clock.cancelAll();
      },
    };
  });
}

function parseArgs(argv: string[]): RunModemSimulatorOptions {
  const options: RunModemSimulatorOptions = { log: (line) => process.stdout.write(line + '\n') };
  for (let i = 0; i < argv.length; i++) {
    const next = (): string => argv[++i] ?? '';
    switch (argv[i]) {
      case '--pty':
        options.pty = next();
        break;
      case '--baud':
        options.baud = Number(next());
        break;
      case '--seed':
        options.seed = Number(next());
        break;
      case '--attach-ms':
        options.attachDelayMs = Number(next());
        break;
      case '--no-echo':
        options.echo = false;
        break;
      case '--no-nsorf-prefix':
        options.nsorfPrefix = false;
        break;
      case '--no-coverage':
        options.coverage = false;
        break;
      default:
        throw new Error(`unknown option ${argv[i]}; see the header of simulators/nbiot/run-modem-sim.ts`);
    }
  }
  return options;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const running = await runModemSimulator(parseArgs(process.argv.slice(2)));
  process.stdout.write(`open ${running.endpoint} with the NB-IoT driver; Ctrl-C stops\n`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void running.close().then(() => process.exit(0));
    });
  }
}
