import { formatProblem, ProblemListError, type ManifestProblem } from '../manifest/manifest-error.js';

/** One thing wrong with a site file: file, JSONPath (or line:column) and a fix — the manifest problem shape. */
export type SiteProblem = ManifestProblem;

export { formatProblem };

/** A site file failed validation. Lists every problem found, not just the first. */
export class SiteError extends ProblemListError {
  constructor(problems: readonly SiteProblem[]) {
    super('SITE_INVALID', (files) => `site file ${files} is invalid`, problems,
      'correct each field listed above, then check again with `npx axon site validate --site <file>`');
  }
}
