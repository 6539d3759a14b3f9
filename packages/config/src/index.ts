export { loadConfigOrExit, parseConfig, redactConfig, type ConfigIssue } from './load-config';
export { settings } from './settings';
