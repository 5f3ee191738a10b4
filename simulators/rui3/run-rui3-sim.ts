/**
 * Serve the simulated RUI3 module (module-sim.ts) on a virtual serial port (a
 * socat pty pair): the gateway opens `endpoint` with serialport as it would a
 * RAK3172 on /dev/ttyUSB0 or the Pi's UART. Behind the module, the radio
 * world: its LoRaWAN MAC (ours) on the simulated LoRa channel, the
 * network-server simulator (simulators/lorawan-ns) with the device
 * registered, and the reference ack service beside it (data-acks, docs/app-ack.md).
 *
 * Clocks: the serial side is real time; the radio world runs in virtual time
 * (a VirtualClock). Each command that starts radio work (AT+JOIN, AT+SEND) is
 * run to its end at once: airtime, receive windows, retransmissions and
 * duty-cycle waits pass in virtual time, and the +EVT line follows the OK
 * within milliseconds of real time. Between commands the virtual clock is
 * brought up to real time, never back, so it runs ahead of the wall clock by
 * the radio time the module has spent. Timer jitter of a busy host therefore
 * never makes the module miss a receive window, and a confirmed frame's
 * retries or a duty-cycle wait do not stall the serial line for minutes.
 *
 *   node --import tsx simulators/rui3/run-rui3-sim.ts --pty /tmp/ttyRUI3 --region EU868 \
 *        --dev-eui AC1F09FFFE000001 --join-eui 70B3D57ED0000000 --app-key 2B2C…
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { ChannelTable } from '../../drivers/batch/channels.js';
import type { RegionName } from '../../drivers/lorawan/regions/index.js';
import { MemoryKeyValueStore } from '../../drivers/ports/storage.js';
import { VirtualClock } from '../../drivers/ports/virtual-clock.js';
import { NodeBlockCipher } from '../../firmware/rpi/ports/node-cipher.js';
import { attachAckService, type AttachedAckService } from '../ack-service/in-process.js';
import { LoraNetworkServer } from '../lorawan-ns/network-server.js';
import { attachToRadioGateway } from '../lorawan-ns/radio-gateway.js';
import { DeviceRegistry } from '../lorawan-ns/registry.js';
import { parseRegistry } from '../lorawan-ns/registry-file.js';
import type { BytesInFlight } from '../line-idle-clock.js';
import { serveStreamOnPty } from '../pty-serve.js';
import { SimulatedLoraChannel } from '../radio/index.js';
import { Rui3ModuleSimulator } from './module-sim.js';

export interface Rui3SimDevice {
  /** The module's factory DevEUI, registered in the network server. */
  devEui: string;
  joinEui: string;
  appKey: string;
}

export interface RunRui3SimulatorOptions {
  /** Where to symlink the gateway's end of the pty; default a fresh path in the temp directory. */
  pty?: string;
  /** Default 115200 (RUI3 factory setting). */
  baud?: number;
  region: RegionName;
  device: Rui3SimDevice;
  /** The application's channel table (the network decodes uplinks with it). */
  channels?: ChannelTable;
  /** Answer sequenced frames with data-acks (default true). */
  ackService?: boolean;
  /** Path loss module → base station, dB (default 115). */
  pathLossDb?: number;
  seed?: number;
  log?: (line: string) => void;
  /**
   * A virtual clock the caller drives, shared with the host on the other end
   * (a LineIdleClock watching `lines`): then the radio world is not brought up
   * to real time, its time is the caller's. Default: the module's own clock,
   * real time on the serial side (above).
   */
  shared?: { clock: VirtualClock; lines: BytesInFlight };
}

export interface RunningRui3Simulator {
  endpoint: string;
  simulator: Rui3ModuleSimulator;
  ns: LoraNetworkServer;
  /** The radio world's clock (ahead of real time by the radio time spent), or the shared one. */
  clock: VirtualClock;
  /** The network's data-acks, with their verdict on each uplink (duplicates carry readings the platform already has). */
  acks: AttachedAckService | undefined;
  close(): Promise<void>;
}

export async function runRui3Simulator(options: RunRui3SimulatorOptions): Promise<RunningRui3Simulator> {
  const { baud = 115200, log = () => undefined } = options;
  const application = 'rui3-sim';
  const parsed = parseRegistry({
    region: options.region,
    netId: '000013',
    applications: { [application]: options.channels === undefined ? {} : { channels: options.channels } },
    devices: [{ name: options.device.devEui.toLowerCase(), application, ...options.device }],
  }, { defaultApplication: application });
  const started = performance.now();
  const clock = options.shared?.clock ?? new VirtualClock({ unixEpochMs: Date.now() });
  const ns = new LoraNetworkServer({ registry: new DeviceRegistry(parsed.devices), network: parsed.network, clock, adr: true });
  const acks = options.ackService === false ? undefined : attachAckService(ns);
  const channel = new SimulatedLoraChannel(clock, { seed: options.seed ?? 1 });
  const attachment = attachToRadioGateway(ns, channel.addGateway({ id: 'rui3-sim-gw' }));
  return serveStreamOnPty(options.pty, { baud }, (stream, endpoint) => {
    const simulator = new Rui3ModuleSimulator({
      stream: options.shared === undefined ? stream : options.shared.lines.watch(stream),
      clock,
      radio: channel.createDeviceRadio({ id: 'rui3-module', pathLossDb: options.pathLossDb ?? 115 }),
      cipher: new NodeBlockCipher(),
      store: new MemoryKeyValueStore(),
      devEui: options.device.devEui,
      seed: options.seed,
    });
    // After the module has read the bytes: bring the radio world up to real time, then run any radio work to its end.
    const handle = stream.onReadable;
    let driving: Promise<void> = Promise.resolve();
    if (options.shared === undefined) stream.onReadable = (bytes) => {
      handle?.(bytes);
      driving = driving.then(async () => {
        await clock.advanceTo(Math.max(clock.now(), performance.now() - started));
        if (simulator.busy) await clock.run(simulator.whenIdle());
      }).catch((error: unknown) => log(`radio world: ${(error as Error).message}`));
    };
    ns.onEvent((event) => {
      if (event.type === 'join') log(`network: join of ${event.device.devEuiHex}`);
      if (event.type === 'up') log(`network: uplink FCnt ${event.fCnt} port ${event.fPort ?? '-'} ${event.payload.length} B${event.confirmed ? ' confirmed' : ''}`);
    });
    log(`simulated RUI3 module (DevEUI ${options.device.devEui}, ${options.region}) on ${endpoint} at ${baud} 8N1`);
    return {
      simulator,
      ns,
      clock,
      acks,
      async close() {
        await driving;
        simulator.close();
        acks?.detach();
        attachment.detach();
      },
    };
  });
}

function parseArgs(argv: string[]): RunRui3SimulatorOptions {
  const options: RunRui3SimulatorOptions = {
    region: 'EU868',
    device: { devEui: 'AC1F09FFFE000001', joinEui: '70B3D57ED0000000', appKey: '2B2C2D2E2F303132333435363738393A' },
    log: (line) => process.stdout.write(line + '\n'),
  };
  for (let i = 0; i < argv.length; i++) {
    const next = (): string => argv[++i] ?? '';
    switch (argv[i]) {
      case '--pty':
        options.pty = next();
        break;
      case '--baud':
        options.baud = Number(next());
        break;
      case '--region':
        options.region = next() as RegionName;
        break;
      case '--dev-eui':
        options.device.devEui = next();
        break;
      case '--join-eui':
        options.device.joinEui = next();
        break;
      case '--app-key':
        options.device.appKey = next();
        break;
      case '--seed':
        options.seed = Number(next());
        break;
      case '--help':
        process.stdout.write('usage: node --import tsx simulators/rui3/run-rui3-sim.ts [--pty <link>] [--baud 115200] [--region EU868|CN470|AS923|US915] [--dev-eui <hex16>] [--join-eui <hex16>] [--app-key <hex32>] [--seed <n>]\n');
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${argv[i]}; see --help`);
    }
  }
  return options;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const running = await runRui3Simulator(parseArgs(process.argv.slice(2)));
  process.stdout.write(`open ${running.endpoint} with a RUI3 driver (axon gateway run, host config "radio": { "type": "rui3", "port": "${running.endpoint}" }); Ctrl-C stops\n`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void running.close().then(() => process.exit(0));
    });
  }
}
