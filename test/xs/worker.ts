/**
 * A thin wrapper over @agoric/xsnap: start an XS worker, evaluate code, send
 * string commands and read the compute meter. xsnap's Node side expects SES
 * globals (assert, harden), so @endo/init is loaded lazily here, only in the
 * processes that talk to XS.
 */
import os from 'node:os';
import fs from 'node:fs';
import { spawn } from 'node:child_process';

export interface MeterUsage {
  compute: number;
  currentHeapCount: number;
  allocate: number;
}

export interface XsWorker {
  evaluate(code: string): Promise<MeterUsage>;
  command(text: string): Promise<string>;
  commandWithMeter(text: string): Promise<MeterUsage & { reply: string }>;
  close(): Promise<void>;
}

let initialised = false;

/** xsnap passes the metering limit as a 32-bit count: keep it below 2^32 (4.29e9) or it wraps. */
export async function startXsWorker(name: string, onMessage: (text: string) => void, meteringLimit = 4e9): Promise<XsWorker> {
  if (!initialised) {
    await import('@endo/init');
    initialised = true;
  }
  const { xsnap } = (await import('@agoric/xsnap')) as unknown as {
    xsnap: (options: Record<string, unknown>) => Promise<RawWorker>;
  };
  const decoder = new TextDecoder();
  const worker = await xsnap({
    os: os.type(),
    spawn,
    fs,
    name: name.replace(/[^a-zA-Z0-9_.]/g, '_'),
    stderr: 'inherit',
    stdout: 'inherit',
    meteringLimit,
    handleCommand: (bytes: Uint8Array) => {
      onMessage(decoder.decode(bytes));
      return new Uint8Array(0);
    },
  });
  return {
    async evaluate(code) {
      const result = await worker.evaluate(code);
      return result.meterUsage;
    },
    async command(text) {
      return (await worker.issueStringCommand(text)).reply;
    },
    async commandWithMeter(text) {
      const result = await worker.issueStringCommand(text);
      return { ...result.meterUsage, reply: result.reply };
    },
    async close() {
      await worker.close().catch(() => undefined);
    },
  };
}

interface RawWorker {
  evaluate(code: string): Promise<{ meterUsage: MeterUsage }>;
  issueStringCommand(text: string): Promise<{ reply: string; meterUsage: MeterUsage }>;
  close(): Promise<void>;
}
