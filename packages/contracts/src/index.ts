export * from './primitives';
export * from './booking-request';
export * from './events';
export * from './sms-job';
export * from './parse';
export * from './campaign-file';
export * from './booking-outcome';
export * from './booking-api';
