import { AxonError } from '../../drivers/errors.js';

/** One thing wrong with a manifest, precise enough to fix without reading code. */
export interface ManifestProblem {
  file: string;
  /** JSONPath of the offending field, e.g. `$.points[3].type`; `$` for the whole document. */
  path: string;
  /** Set for JSON syntax errors: where in the file. */
  line?: number;
  column?: number;
  message: string;
  fix: string;
}

export function formatProblem(problem: ManifestProblem): string {
  const where = problem.line === undefined ? `${problem.file} ${problem.path}` : `${problem.file}:${problem.line}:${problem.column}`;
  return `${where}: ${problem.message}. Fix: ${problem.fix}`;
}

/**
 * An error that lists problems, each with its file, place and fix (manifests,
 * site files, host configs). The list is the message; the fix for the whole
 * is kept in `fix` for programs, not printed again under the list.
 */
export class ProblemListError<P extends ManifestProblem = ManifestProblem> extends AxonError {
  readonly problems: readonly P[];

  /** `title` is called with the files involved, e.g. (files) => `site file ${files} is invalid`. */
  constructor(code: string, title: (files: string) => string, problems: readonly P[], fixAll: string) {
    const files = [...new Set(problems.map((p) => p.file))].join(', ');
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    const list = problems.map((p, i) => `\n  ${i + 1}. ${formatProblem(p)}`).join('');
    super(code, `${title(files)} (${count}):${list}`, { where: files, fix: problems.length === 1 ? problems[0].fix : fixAll, listed: true });
    this.problems = problems;
  }
}

/** A manifest (or a directory of them) failed validation. Lists every problem found, not just the first. */
export class ManifestError extends ProblemListError {
  constructor(problems: readonly ManifestProblem[]) {
    super('MANIFEST_INVALID', (files) => `device manifest ${files} is invalid`, problems,
      'correct each field listed above, then check again with `npx axon manifest validate <file>`');
  }
}
