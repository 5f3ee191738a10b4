/**
 * Base error for everything the core reports. Field engineers read these on a
 * console far from the code, so every error says what happened, where, and how
 * to fix it, and carries a stable machine-readable `code`.
 */
export interface AxonErrorDetails {
  /** Where it happened: a port, unit, file path, JSON path or byte offset. */
  where?: string;
  /** What the user can do about it. */
  fix?: string;
  /** The lower-level error this one wraps. */
  cause?: unknown;
  /**
   * The message already lists each problem with its own place and fix, so
   * `where` and `fix` are kept on the error for programs but not appended to
   * the text again (a reader would see the fix twice).
   */
  listed?: boolean;
}

export class AxonError extends Error {
  /**
   * The class's name, written out in every subclass: a Moddable build with
   * "strip": "*" gives functions no `name`, so constructor.name would be empty
   * on the device and every error would print as "Error".
   */
  static readonly errorName: string = 'AxonError';
  readonly code: string;
  readonly where: string | undefined;
  readonly fix: string | undefined;

  constructor(code: string, message: string, details: AxonErrorDetails = {}) {
    const parts = [message];
    if (details.where !== undefined && details.listed !== true) parts.push(`(at ${details.where})`);
    if (details.fix !== undefined && details.listed !== true) parts.push(`Fix: ${details.fix}`);
    super(parts.join(' '));
    this.code = code;
    this.where = details.where;
    this.fix = details.fix;
    if (details.cause !== undefined) (this as { cause?: unknown }).cause = details.cause;
  }

  override get name(): string {
    const own = this.constructor as typeof AxonError;
    // A class that states its name (every one in drivers/, which runs on the device) keeps it when stripped;
    // host-only subclasses without one fall back to constructor.name.
    return Object.prototype.hasOwnProperty.call(own, 'errorName') ? own.errorName : own.name || own.errorName;
  }
}
