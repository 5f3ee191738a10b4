import { AxonError } from '../errors.js';

/** A rule set the engine cannot run as given (raised when the engine is built, never per sample). */
export class AlertRuleError extends AxonError {
  static override readonly errorName: string = 'AlertRuleError';
  constructor(message: string, details: { where?: string; fix?: string } = {}) {
    super('ALERT_RULE_INVALID', message, details);
  }
}
