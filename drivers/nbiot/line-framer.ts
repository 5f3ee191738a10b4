/**
 * Splits the modem's byte stream into text lines. AT replies are CR/LF framed
 * ASCII, but a UART also carries wake-up glitches (0x00/0xFF), half lines cut by
 * a module reset, and in the worst case somebody's binary. The framer never
 * throws and never holds more than `maxLineLength` bytes: an overlong line is
 * dropped whole and framing resumes at the next CR or LF.
 */
export interface LineFramerStats {
  lines: number;
  /** Lines dropped because they held control or non-ASCII bytes. */
  noiseLines: number;
  /** Lines dropped because they exceeded maxLineLength. */
  overflows: number;
}

export interface LineFramerOptions {
  /**
   * Longest line kept. The longest legitimate line is a receive of 512 bytes as
   * hex plus its header (about 1.1 KB); the default leaves room for that.
   */
  maxLineLength?: number;
}

const CR = 13;
const LF = 10;

export class LineFramer {
  onLine: ((line: string) => void) | undefined;
  readonly stats: LineFramerStats = { lines: 0, noiseLines: 0, overflows: 0 };
  readonly #max: number;
  #buffer = '';
  /** Set after an overflow: drop bytes until the next line end. */
  #discarding = false;

  constructor(options: LineFramerOptions = {}) {
    this.#max = options.maxLineLength ?? 2200;
  }

  /** Bytes held waiting for a line end (bounded by maxLineLength). */
  get buffered(): number {
    return this.#buffer.length;
  }

  push(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i];
      if (byte === CR || byte === LF) {
        this.#endLine();
      } else if (!this.#discarding) {
        if (this.#buffer.length >= this.#max) {
          this.#buffer = '';
          this.#discarding = true;
          this.stats.overflows++;
        } else {
          this.#buffer += String.fromCharCode(byte);
        }
      }
    }
  }

  /** Forget a partial line (after a module reset the half line is meaningless). */
  reset(): void {
    this.#buffer = '';
    this.#discarding = false;
  }

  #endLine(): void {
    const raw = this.#buffer;
    this.#buffer = '';
    if (this.#discarding) {
      this.#discarding = false;
      return;
    }
    const line = trimNonPrintable(raw);
    if (line.length === 0) return;
    if (!isPrintable(line)) {
      this.stats.noiseLines++;
      return;
    }
    this.stats.lines++;
    this.onLine?.(line);
  }
}

function printable(code: number): boolean {
  return code > 0x20 && code < 0x7f;
}

/**
 * Modules often emit a stray 0x00 or 0xFF when the UART wakes; trimming
 * non-printables at both ends keeps "\0OK" recognisable as OK.
 */
function trimNonPrintable(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && !printable(text.charCodeAt(start))) start++;
  while (end > start && !printable(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

function isPrintable(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code !== 0x20 && !printable(code)) return false;
  }
  return true;
}
