export * from './primitives';
export * from './booking-request';
export * from './events';
export * from './sms-job';
export * from './parse';
export * from './campaign-file';
