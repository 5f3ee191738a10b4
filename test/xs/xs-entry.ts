/**
 * Runtime inside XS for one bundled core test file. The host (run-core-tests.ts)
 * sends "run <index>" commands; each test runs in its own crank so the compute
 * meter and the metering limit (which stops runaway loops) apply per test.
 */
import { registeredTests, makeAssertions } from '../kit/core-test.xs.js';

declare const issueCommand: (bytes: ArrayBuffer) => void;
declare const globalThis: { handleCommand?: (bytes: ArrayBuffer) => ArrayBuffer };

function utf8(text: string): ArrayBuffer {
  // Results are JSON with ASCII escapes only (see report()), so one byte per char is exact.
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out.buffer;
}

/** JSON with every non-ASCII character escaped, so one byte per character is exact. */
function asciiJson(value: unknown): ArrayBuffer {
  return utf8(JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')));
}

function report(message: object): void {
  issueCommand(asciiJson(message));
}

globalThis.handleCommand = (bytes: ArrayBuffer): ArrayBuffer => {
  const command = String.fromCharCode(...new Uint8Array(bytes));
  if (command === 'list') {
    return asciiJson(registeredTests().map((t) => t.title));
  }
  const index = Number(command.slice(4));
  const entry = registeredTests()[index];
  const logs: string[] = [];
  const t = makeAssertions(logs);
  Promise.resolve()
    .then(() => entry.body(t))
    .then(
      () => report({ index, ok: true, assertions: t.assertionCount, logs }),
      (error: unknown) => {
        const e = error as { name?: string; message?: string; stack?: string };
        report({ index, ok: false, error: `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`, stack: e?.stack ?? '', logs });
      },
    );
  return new ArrayBuffer(0);
};
