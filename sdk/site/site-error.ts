import { AxonError } from '../../drivers/errors.js';
import { formatProblem, type ManifestProblem } from '../manifest/manifest-error.js';

/** One thing wrong with a site file: file, JSONPath (or line:column) and a fix — the manifest problem shape. */
export type SiteProblem = ManifestProblem;

export { formatProblem };

/** A site file failed validation. Lists every problem found, not just the first. */
export class SiteError extends AxonError {
  readonly problems: readonly SiteProblem[];

  constructor(problems: readonly SiteProblem[]) {
    const files = [...new Set(problems.map((p) => p.file))];
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    const list = problems.map((p, i) => `\n  ${i + 1}. ${formatProblem(p)}`).join('');
    super('SITE_INVALID', `site file ${files.join(', ')} is invalid (${count}):${list}\n`, {
      where: files.join(', '),
      fix: problems.length === 1 ? problems[0].fix : 'correct each field listed above, then check again with `npx axon site validate --site <file>`',
    });
    this.problems = problems;
  }
}
