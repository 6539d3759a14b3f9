export { loadConfigOrExit, parseConfig, redactConfig, type ConfigIssue } from './load-config';
export { internalTokenInProduction } from './internal-token';
export { settings } from './settings';
