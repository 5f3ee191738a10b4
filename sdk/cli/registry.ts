/**
 * Every `axon` command, by group and name, with the one-line summary the help
 * pages show, and a loader for its module. Commands load lazily: `axon --version`
 * loads nothing, and `axon gateway run` loads the gateway and not the network
 * simulators, the fleet engine or the dev-only packages they import (lora-packet),
 * so a production install without dev dependencies starts, and starts fast.
 *
 * Adding a command: write sdk/cli/commands/<group>-<name>.ts exporting a
 * `Command`, then add one entry here. registry.test.ts checks that each entry's
 * summary matches its module's.
 */
import type { Command } from './command.js';

export interface CommandGroup {
  readonly name: string;
  readonly summary: string;
}

export interface CommandEntry {
  /** `axon <group> <name>`; name '' for a one-word command such as `axon plan`. */
  readonly group: string;
  readonly name: string;
  readonly summary: string;
  load(): Promise<Command>;
}

export const GROUPS: readonly CommandGroup[] = [
  { name: 'modbus', summary: 'talk to Modbus RTU (RS-485) and Modbus TCP devices' },
  { name: 'dlt645', summary: 'read DL/T 645 electricity meters' },
  { name: 'decode', summary: 'decode captured meter frames and Axon uplinks to JSON' },
  { name: 'sim', summary: 'run simulated devices on virtual serial ports or Modbus TCP' },
  { name: 'lorawan', summary: 'encode, decode and verify LoRaWAN 1.0.x frames; time on air' },
  { name: 'plan', summary: 'bus-time plan of a site file: every request, its wire time, cycle and utilisation' },
  { name: 'ns', summary: 'LoRaWAN network-server simulator: Semtech UDP in, ChirpStack v4 MQTT integration out' },
  { name: 'manifest', summary: 'device manifests (vendors): scaffold one, validate them, run the conformance check' },
  { name: 'site', summary: 'site files: validate one and summarise what a gateway runs from it' },
  { name: 'codec', summary: "the site's uplink decoder for The Things Stack / ChirpStack, and its channel table" },
  { name: 'gateway', summary: 'the Raspberry Pi gateway: run it on a site file and host config, check them, or ask a running one for its status' },
  { name: 'fleet', summary: 'a district of gateways and end devices over LoRaWAN in virtual time; merge sharded runs' },
  { name: 'mqtt', summary: "the platform's side of MQTT downlinks: sign them for gateways that require it" },
];

export const COMMAND_ENTRIES: readonly CommandEntry[] = [
  { group: 'modbus', name: 'read', summary: 'read registers (FC03/FC04) or bits (FC01/FC02) from one Modbus RTU or TCP device',
    load: async () => (await import('./commands/modbus-read.js')).modbusRead },
  { group: 'modbus', name: 'scan', summary: 'find Modbus devices on a bus: try every baud rate, parity and unit id',
    load: async () => (await import('./commands/modbus-scan.js')).modbusScan },
  { group: 'modbus', name: 'write', summary: 'write coils (FC05/FC15) or holding registers (FC06/FC16) the manifest marks as writable config, then read them back',
    load: async () => (await import('./commands/modbus-write.js')).modbusWrite },
  { group: 'dlt645', name: 'read', summary: 'read one data identifier (energy, voltage, current, power, …) from a DL/T 645 meter',
    load: async () => (await import('./commands/dlt645-read.js')).dlt645Read },
  { group: 'dlt645', name: 'read-address', summary: 'ask the only meter on the line for its 12-digit address',
    load: async () => (await import('./commands/dlt645-read-address.js')).dlt645ReadAddress },
  { group: 'decode', name: 'dlt645', summary: 'decode a DL/T 645 frame (request or reply) to JSON: address, control, DI, value, checksum',
    load: async () => (await import('./commands/decode-dlt645.js')).decodeDlt645 },
  { group: 'decode', name: 'cjt188', summary: 'decode a CJ/T 188 frame to JSON: meter type, address, control, DI, 901F record, checksum',
    load: async () => (await import('./commands/decode-cjt188.js')).decodeCjt188 },
  { group: 'decode', name: 'uplink', summary: "decode an Axon uplink payload (batch, alert, alert group or status) to JSON with the site's channel table",
    load: async () => (await import('./commands/decode-uplink.js')).decodeUplinkCommand },
  { group: 'sim', name: 'device', summary: 'simulate one device from its manifest on a virtual serial port (--pty) or Modbus TCP (--tcp)',
    load: async () => (await import('./commands/sim-device.js')).simDevice },
  { group: 'lorawan', name: 'encode', summary: 'build a data uplink PHYPayload (encrypted payload + MIC) from session keys',
    load: async () => (await import('./commands/lorawan-encode.js')).lorawanEncode },
  { group: 'lorawan', name: 'decode', summary: 'decode a LoRaWAN PHYPayload to JSON; with keys, check the MIC and decrypt',
    load: async () => (await import('./commands/lorawan-decode.js')).lorawanDecode },
  { group: 'lorawan', name: 'join-request', summary: 'build an OTAA join request PHYPayload (MIC with the AppKey)',
    load: async () => (await import('./commands/lorawan-join-request.js')).lorawanJoinRequest },
  { group: 'lorawan', name: 'airtime', summary: 'time on air of an uplink in milliseconds (LoRa, explicit header, CRC on, CR 4/5)',
    load: async () => (await import('./commands/lorawan-airtime.js')).lorawanAirtime },
  { group: 'plan', name: '', summary: 'bus-time plan of a site file: every request, its wire time, cycle and utilisation per bus, and whether it fits',
    load: async () => (await import('./commands/plan.js')).plan },
  { group: 'ns', name: 'sim', summary: "LoRaWAN network-server simulator: Semtech UDP in, ChirpStack v4's MQTT integration events out",
    load: async () => (await import('./commands/ns-sim.js')).nsSim },
  { group: 'manifest', name: 'validate', summary: 'check device manifests (schema and semantics); every problem with its file, JSON path and fix',
    load: async () => (await import('./commands/manifest-validate.js')).manifestValidate },
  { group: 'manifest', name: 'conformance', summary: "run a manifest's driver against its simulator over real framing; every point must read back as simulated",
    load: async () => (await import('./commands/manifest-conformance.js')).manifestConformance },
  { group: 'manifest', name: 'new', summary: 'scaffold a device manifest (with $schema and a simulator block) and its README; valid and conformant as generated',
    load: async () => (await import('./commands/manifest-new.js')).manifestNew },
  { group: 'site', name: 'validate', summary: 'check a site file and summarise what a gateway runs from it: buses, devices, rules, uplink channels',
    load: async () => (await import('./commands/site-validate.js')).siteValidate },
  { group: 'codec', name: '', summary: "generate the site's uplink decoder for The Things Stack / ChirpStack (and its channel table)",
    load: async () => (await import('./commands/codec.js')).codec },
  { group: 'gateway', name: 'run', summary: "run the gateway on this Raspberry Pi: poll the site's buses, raise alarms, batch and send, until stopped",
    load: async () => (await import('./commands/gateway.js')).gatewayRun },
  { group: 'gateway', name: 'check', summary: 'check a site file and a host config against each other, print what the gateway would run, and exit',
    load: async () => (await import('./commands/gateway.js')).gatewayCheck },
  { group: 'gateway', name: 'install', summary: 'install the gateway as a systemd service: unit (node, no npx), service user, 0700 data directory, config templates',
    load: async () => (await import('./commands/gateway-install.js')).gatewayInstall },
  { group: 'gateway', name: 'status', summary: "show what a running gateway is doing: uplink, store backlog, alarms, buses and failed polls, live readings",
    load: async () => (await import('./commands/gateway-status.js')).gatewayStatus },
  { group: 'fleet', name: 'sim', summary: 'simulate a district of Axon gateways and LoRaWAN end devices in virtual time: delivery, alert latency, air load',
    load: async () => (await import('./commands/fleet-sim.js')).fleetSim },
  { group: 'fleet', name: 'merge', summary: 'combine the partial reports of a sharded `axon fleet sim --shard i/n` run into its report',
    load: async () => (await import('./commands/fleet-merge.js')).fleetMerge },
  { group: 'mqtt', name: 'sign-downlink', summary: 'sign a downlink for a gateway that obeys signed downlinks only (HMAC-SHA256, rising counter)',
    load: async () => (await import('./commands/mqtt-sign-downlink.js')).mqttSignDownlink },
];

export function findEntry(group: string, name: string): CommandEntry | undefined {
  return COMMAND_ENTRIES.find((entry) => entry.group === group && entry.name === name);
}

export function entriesOf(group: string): CommandEntry[] {
  return COMMAND_ENTRIES.filter((entry) => entry.group === group);
}
