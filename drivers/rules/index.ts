export * from './config.js';
export { AlertEngine, DEFAULT_PULSE_MS, type AlertEngineOptions, type ActiveAlarm } from './engine.js';
export { ALERT_DEFAULTS, defaultRulesFor, mergeRules, siteRules } from './defaults.js';
export { AlertRuleError } from './errors.js';
export { ALARM_RECORD_VERSION, alarmStateKey, decodeAlarmRecord, encodeAlarmRecord } from './persistence.js';
export { DEFAULT_OFFLINE_PERIODS } from './offline.js';
export { MIN_WINDOW_COVERAGE } from './rate-of-rise.js';
