export { ConfigError, loadConfigOrExit, parseConfig, redactConfig } from './load-config';
export { settings } from './settings';
