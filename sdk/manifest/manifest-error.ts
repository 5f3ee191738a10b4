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

/** A manifest (or a directory of them) failed validation. Lists every problem found, not just the first. */
export class ManifestError extends AxonError {
  readonly problems: readonly ManifestProblem[];

  constructor(problems: readonly ManifestProblem[]) {
    const files = [...new Set(problems.map((p) => p.file))];
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    const list = problems.map((p, i) => `\n  ${i + 1}. ${formatProblem(p)}`).join('');
    super('MANIFEST_INVALID', `device manifest ${files.join(', ')} is invalid (${count}):${list}\n`, {
      where: files.join(', '),
      fix: problems.length === 1 ? problems[0].fix : 'correct each field listed above, then check again with `npx axon manifest validate <file>`',
    });
    this.problems = problems;
  }
}
