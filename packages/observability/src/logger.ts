import pino, { type Logger, type LoggerOptions } from 'pino';
import { maskDeep, maskString } from './mask';

export type { Logger } from 'pino';

export interface LoggerSettings {
  service: string;
  level?: LoggerOptions['level'];
  /** Where lines go; defaults to stdout. Tests pass a stream to read what was logged. */
  destination?: pino.DestinationStream;
}

/** JSON logs, message first and fields second; every field and message is masked before writing. */
export function createLogger({ service, level = 'info', destination }: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    messageKey: 'msg',
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => maskDeep(object) as Record<string, unknown>,
    },
    serializers: { err: (err: Error) => maskDeep(pino.stdSerializers.err(err)) },
    hooks: {
      logMethod(args, method) {
        const masked = args.map((a) => (typeof a === 'string' ? maskString(a) : a)) as Parameters<
          typeof method
        >;
        return method.apply(this, masked);
      },
    },
  };
  const logger = destination ? pino(options, destination) : pino(options);
  // A child's fields (logger.child({ jobId })) are serialised once, bypassing `formatters.log`,
  // and pino gives children no bindings formatter: mask them here. Children inherit this method.
  const child = logger.child;
  logger.child = function maskedChild(this: Logger, bindings, childOptions) {
    return child.call(this, maskDeep(bindings) as typeof bindings, childOptions);
  } as typeof logger.child;
  return logger;
}
