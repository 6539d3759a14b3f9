export * from './codes';
export { KhiwError, type KhiwErrorOptions } from './khiw-error';
