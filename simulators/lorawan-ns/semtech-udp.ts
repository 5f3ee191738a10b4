/**
 * The network server's Semtech UDP endpoint (node:dgram), so a real gateway's
 * packet forwarder — or a test one — points at the simulator as it would at
 * any network server. PUSH_DATA is acknowledged at once, then each rxpk goes
 * to the core; PULL_DATA keepalives tell us where each gateway listens for
 * PULL_RESP. A downlink that the gateway refuses in one window (TX_ACK
 * TOO_LATE, COLLISION_PACKET, …) is offered in the next one.
 */
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import type { LoraNetworkServer } from './network-server.js';
import { encodeAck, encodePullResp, parseGatewayMessage, PKT, rxpkToFrame, txpkFor, type GatewayMessage } from './semtech-packets.js';
import type { DownlinkPlan } from './types.js';

export interface SemtechUdpOptions {
  /** UDP port (default 1700; 0 picks a free one). */
  port?: number;
  /** Default 0.0.0.0: gateways are other machines. */
  host?: string;
  /** How long to wait for a TX_ACK before taking the PULL_RESP as sent, ms (default 2000; protocol v1 has no TX_ACK). */
  txAckTimeoutMs?: number;
}

export interface SemtechUdpStats {
  pushData: number;
  pullData: number;
  txAcks: number;
  /** rxpk the gateway marked with a bad radio CRC: never handed to the network server. */
  crcErrors: number;
  /** Datagrams or rxpk entries that are not valid protocol messages. */
  malformed: number;
  /** Downlinks for a gateway that has not sent PULL_DATA yet (no address to send to). */
  noDownlinkPath: number;
  /** Datagrams ignored during an outage. */
  droppedInOutage: number;
}

/** Where a gateway listens for PULL_RESP (the source of its last PULL_DATA). */
export interface GatewayAddress {
  address: string;
  port: number;
  version: number;
}

interface PendingTx {
  plan: DownlinkPlan;
  index: number;
  errors: string[];
  timer?: NodeJS.Timeout;
}

export class SemtechUdpServer {
  readonly stats: SemtechUdpStats = { pushData: 0, pullData: 0, txAcks: 0, crcErrors: 0, malformed: 0, noDownlinkPath: 0, droppedInOutage: 0 };
  readonly #socket: dgram.Socket;
  readonly #ns: LoraNetworkServer;
  readonly #gateways = new Map<string, GatewayAddress>();
  readonly #pending = new Map<number, PendingTx>();
  readonly #txAckTimeoutMs: number;
  #nextToken = 1;

  private constructor(socket: dgram.Socket, ns: LoraNetworkServer, options: SemtechUdpOptions) {
    this.#socket = socket;
    this.#ns = ns;
    this.#txAckTimeoutMs = options.txAckTimeoutMs ?? 2000;
    socket.on('message', (bytes, from) => this.#receive(new Uint8Array(bytes), from));
  }

  static async start(ns: LoraNetworkServer, options: SemtechUdpOptions = {}): Promise<SemtechUdpServer> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(options.port ?? 1700, options.host ?? '0.0.0.0', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new SemtechUdpServer(socket, ns, options);
  }

  get port(): number {
    return (this.#socket.address() as AddressInfo).port;
  }

  /** Gateways that sent PULL_DATA, by EUI. */
  get gateways(): ReadonlyMap<string, GatewayAddress> {
    return this.#gateways;
  }

  async close(): Promise<void> {
    for (const pending of this.#pending.values()) clearTimeout(pending.timer);
    this.#pending.clear();
    await new Promise<void>((resolve) => this.#socket.close(() => resolve()));
  }

  #receive(bytes: Uint8Array, from: dgram.RemoteInfo): void {
    // An outage silences the server completely: no PUSH_ACK either, as when the backhaul is down.
    if (this.#ns.isOutage()) {
      this.stats.droppedInOutage++;
      return;
    }
    let message: GatewayMessage;
    try {
      message = parseGatewayMessage(bytes);
    } catch {
      this.stats.malformed++;
      return;
    }
    switch (message.type) {
      case 'PUSH_DATA':
        this.stats.pushData++;
        this.#send(encodeAck(PKT.PUSH_ACK, message.version, message.token), from.address, from.port);
        this.#uplinks(message.json, message.gatewayId);
        break;
      case 'PULL_DATA':
        this.stats.pullData++;
        this.#gateways.set(message.gatewayId, { address: from.address, port: from.port, version: message.version });
        this.#send(encodeAck(PKT.PULL_ACK, message.version, message.token), from.address, from.port);
        break;
      case 'TX_ACK':
        this.stats.txAcks++;
        this.#txAck(message.token, message.error);
        break;
    }
  }

  #uplinks(json: unknown, gatewayId: string): void {
    const rxpks = (json as { rxpk?: unknown } | undefined)?.rxpk;
    if (rxpks === undefined) return; // a `stat`-only report
    if (!Array.isArray(rxpks)) {
      this.stats.malformed++;
      return;
    }
    for (const rxpk of rxpks) {
      const result = rxpkToFrame(rxpk, gatewayId);
      if (!result.ok) {
        if (result.reason === 'crc') this.stats.crcErrors++;
        else this.stats.malformed++;
        continue;
      }
      const plan = this.#ns.handleFrame(result.frame);
      if (plan !== undefined) this.#transmit({ plan, index: 0, errors: [] });
    }
  }

  /** Send the plan's current window as PULL_RESP and wait for its TX_ACK. */
  #transmit(pending: PendingTx): void {
    const gateway = this.#gateways.get(pending.plan.gatewayId);
    if (gateway === undefined) {
      this.stats.noDownlinkPath++;
      this.#ns.reportDownlink({ plan: pending.plan, window: undefined, errors: [...pending.errors, 'NO_PULL_DATA'] });
      return;
    }
    const token = this.#nextToken;
    this.#nextToken = (this.#nextToken % 0xffff) + 1;
    const window = pending.plan.windows[pending.index];
    pending.timer = setTimeout(() => {
      // No TX_ACK (protocol v1, or it was lost): the gateway took the PULL_RESP.
      this.#pending.delete(token);
      this.#ns.reportDownlink({ plan: pending.plan, window, errors: pending.errors });
    }, this.#txAckTimeoutMs);
    this.#pending.set(token, pending);
    this.#send(encodePullResp(gateway.version, token, txpkFor(window, pending.plan.phyPayload)), gateway.address, gateway.port);
  }

  #txAck(token: number, error: string): void {
    const pending = this.#pending.get(token);
    if (pending === undefined) return;
    clearTimeout(pending.timer);
    this.#pending.delete(token);
    if (error === 'NONE') {
      this.#ns.reportDownlink({ plan: pending.plan, window: pending.plan.windows[pending.index], errors: pending.errors });
      return;
    }
    pending.errors.push(error);
    if (pending.index + 1 < pending.plan.windows.length) {
      this.#transmit({ ...pending, index: pending.index + 1 });
    } else {
      this.#ns.reportDownlink({ plan: pending.plan, window: undefined, errors: pending.errors });
    }
  }

  #send(bytes: Uint8Array, address: string, port: number): void {
    this.#socket.send(bytes, port, address);
  }
}
