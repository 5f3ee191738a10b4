/**
 * Site outputs on Firmata I/O boards (an Arduino or a Pico running
 * StandardFirmata on USB serial, driving a relay board), named in the host
 * config:
 *
 *   "firmata": { "relays": { "port": "/dev/serial/by-id/usb-Arduino…" } },
 *   "outputs": { "buzzer": { "board": "relays", "pin": 7, "activeLow": true } }
 *
 * What the config must hold (used by host-config.ts, so check and run agree),
 * and the boards opened at start through johnny-five (ports/firmata-board.ts):
 * each relay at its inactive level from the first instant.
 */
import type { SiteFile } from '../../../drivers/gateway/site.js';
import type { DigitalOutput } from '../../../drivers/ports/digital.js';
import type { ManifestProblem } from '../../../sdk/manifest/manifest-error.js';
import { openFirmataBoard, type FirmataBoard } from '../ports/firmata-board.js';
import type { HostConfig } from './host-config.js';

/** One Firmata board of the host config's `firmata` section. */
export interface FirmataBoardConfig {
  port: string;
  /** StandardFirmata's 57600 by default. */
  baud?: number;
}

/** Outputs the config puts on Firmata boards: output id → board id and pin. */
export function firmataOutputs(config: HostConfig): Array<{ output: string; board: string; pin: number; activeLow: boolean }> {
  return Object.entries(config.outputs ?? {}).flatMap(([output, wiring]) => (wiring.board === undefined || wiring.pin === undefined ? [] : [{ output, board: wiring.board, pin: wiring.pin, activeLow: wiring.activeLow === true }]));
}

/** Boards that do not exist, pins wired twice, boards nothing uses. */
export function firmataProblems(config: HostConfig, site: SiteFile, file: string): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  const add = (path: string, message: string, fix: string) => problems.push({ file, path, message, fix });
  const boards = Object.keys(config.firmata ?? {});
  const pins = new Map<string, string>();
  for (const { output, board, pin } of firmataOutputs(config)) {
    if (!boards.includes(board)) {
      add(`$.outputs["${output}"].board`, `output ${output} is on Firmata board '${board}', which the config does not define`,
        boards.length === 0 ? `add "firmata": { "${board}": { "port": "/dev/serial/by-id/usb-Arduino…" } }` : `use one of ${boards.join(', ')}, or add "${board}" to "firmata"`);
      continue;
    }
    const key = `${board}:${pin}`;
    const other = pins.get(key);
    if (other !== undefined) add(`$.outputs["${output}"].pin`, `pin ${pin} of Firmata board ${board} already drives output ${other}`, 'give each output its own pin (one relay per pin)');
    else pins.set(key, output);
  }
  const used = new Set(firmataOutputs(config).filter((o) => (site.outputs ?? []).some((s) => s.id === o.output)).map((o) => o.board));
  for (const board of boards) {
    if (!used.has(board)) add(`$.firmata["${board}"]`, `no output of the site uses Firmata board ${board}`, `wire an output to it ("outputs": { "<id>": { "board": "${board}", "pin": <n> } }) or remove the entry`);
  }
  return problems;
}

export interface FirmataBoards {
  /** The output on its board's pin; `output` must be one of firmataOutputs(config). */
  relay(output: string, name: string): DigitalOutput;
  close(): Promise<void>;
}

/** Open every board an output uses (one after another: each is a USB serial line with its handshake). */
/** `lost`: a board's line failed while the gateway runs (it is not reopened: the relays on it are out of reach until a restart). */
export async function openFirmataBoards(config: HostConfig, log: (line: string) => void, lost: (line: string) => void): Promise<FirmataBoards> {
  const wired = firmataOutputs(config);
  const opened = new Map<string, FirmataBoard>();
  try {
    for (const id of new Set(wired.map((o) => o.board))) {
      const board = config.firmata?.[id];
      if (board === undefined) continue; // refused by firmataProblems
      const relays = wired.filter((o) => o.board === id).map((o) => o.output).join(', ');
      const open = await openFirmataBoard({
        path: board.port,
        baud: board.baud,
        onLost: (error) => lost(`Firmata board ${id} on ${board.port} lost: ${error.message}; ${relays} cannot be switched until the gateway restarts (Fix: check the board's USB cable, then restart the gateway)`),
      });
      opened.set(id, open);
      log(`Firmata board ${id} on ${board.port}: ${open.io.firmware.name ?? 'Firmata'} ${open.io.firmware.version?.major ?? '?'}.${open.io.firmware.version?.minor ?? '?'}`);
    }
  } catch (error) {
    await Promise.all([...opened.values()].map((board) => board.close()));
    throw error;
  }
  return {
    relay(output, name) {
      const wiring = wired.find((o) => o.output === output);
      const board = wiring === undefined ? undefined : opened.get(wiring.board);
      if (wiring === undefined || board === undefined) throw new Error(`output ${output} is on no open Firmata board`);
      return board.relay(wiring.pin, { activeLow: wiring.activeLow, name });
    },
    async close() {
      await Promise.all([...opened.values()].map((board) => board.close()));
    },
  };
}
