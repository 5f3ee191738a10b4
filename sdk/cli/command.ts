/**
 * The shape every `axon` subcommand has. The dispatcher (axon.ts) parses the
 * flags from `flags`, answers --help from the same table, and hands the rest
 * to `run`; a command only reads typed values and does its job.
 */
import type { FlagSpecs, ParsedCommandLine } from './args.js';

export interface CommandIo {
  /** One line (or block) of results, to stdout. */
  out(text: string): void;
  /** Progress, notes and warnings, to stderr, so stdout stays machine-readable. */
  err(text: string): void;
  /** stderr is a terminal: progress may redraw one line instead of scrolling. */
  readonly errIsTty: boolean;
}

export interface Command {
  /** Group and name as typed: `axon <group> <name>`. */
  group: string;
  name: string;
  /** One line for the group's help. */
  summary: string;
  /** Usage line without the leading "axon <group> <name>". */
  usage: string;
  flags: FlagSpecs;
  /** Help for positional arguments, when the command takes any. */
  positionals?: string;
  /** Extra paragraphs for --help (what the output means, caveats). */
  details?: string;
  examples: string[];
  /** Returns the process exit code. */
  run(args: ParsedCommandLine, io: CommandIo): Promise<number>;
}

export function commandPath(command: Pick<Command, 'group' | 'name'>): string {
  return command.name === '' ? command.group : `${command.group} ${command.name}`;
}
