import { describe, expect, it, jest } from '@jest/globals';
import { z } from 'zod';
import { KhiwError } from '@khiw/errors';
import { loadConfigOrExit, parseConfig, redactConfig, settings, type ConfigIssue } from './index';

const schema = z.object({
  PORT: settings.port(8080),
  REDIS_URL: settings.REDIS_URL,
  DATABASE_URL: settings.DATABASE_URL,
  KAFKA_BROKERS: settings.KAFKA_BROKERS,
  KHIW_NAMESPACE: settings.KHIW_NAMESPACE,
  KANNEL_PASSWORD: z.string().min(1),
});

describe('parseConfig', () => {
  it('applies local defaults and coerces numbers and lists', () => {
    const config = parseConfig(schema, { KANNEL_PASSWORD: 'pw', PORT: '9000', KAFKA_BROKERS: 'a:1, b:2' });
    expect(config.PORT).toBe(9000);
    expect(config.KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(config.KHIW_NAMESPACE).toBe('');
  });

  it('names every missing or wrong setting', () => {
    let error: unknown;
    try {
      parseConfig(schema, { PORT: 'eighty', REDIS_URL: 'http://x', KHIW_NAMESPACE: 'Bad_NS' });
    } catch (e) {
      error = e;
    }
    expect(KhiwError.is(error, 'CONFIG_INVALID')).toBe(true);
    const issues = (error as KhiwError).details?.issues as ConfigIssue[];
    const settingsNamed = issues.map((i) => i.setting).sort();
    expect(settingsNamed).toEqual(['KANNEL_PASSWORD', 'KHIW_NAMESPACE', 'PORT', 'REDIS_URL']);
    expect((error as KhiwError).message).toContain('REDIS_URL: must be a URL with scheme redis or rediss');
  });

  it('rejects malformed broker lists', () => {
    expect(() => parseConfig(schema, { KANNEL_PASSWORD: 'x', KAFKA_BROKERS: 'localhost' })).toThrow(
      /KAFKA_BROKERS/,
    );
  });
});

describe('loadConfigOrExit', () => {
  it('prints the named settings and exits 78 (EX_CONFIG)', () => {
    const written: string[] = [];
    const write = jest
      .spyOn(process.stderr, 'write')
      .mockImplementation((text: string | Uint8Array) => (written.push(String(text)), true));
    const exit = jest.spyOn(process, 'exit').mockImplementation((code) => {
      throw new Error(`exit ${String(code)}`);
    });
    try {
      expect(() => loadConfigOrExit('svc', schema, { REDIS_URL: 'http://x' })).toThrow('exit 78');
    } finally {
      write.mockRestore();
      exit.mockRestore();
    }
    expect(written.join('')).toMatch(
      /^svc: Invalid configuration:\n {2}- REDIS_URL: must be a URL with scheme redis or rediss\n {2}- KANNEL_PASSWORD: .+\n$/,
    );
  });
});

describe('redactConfig', () => {
  it('hides secrets and URL credentials', () => {
    const out = redactConfig({
      KANNEL_PASSWORD: 'pw',
      DATABASE_URL: 'postgresql://app:s3cret@db:5432/khiw',
      PORT: 1,
    });
    expect(out).toEqual({
      KANNEL_PASSWORD: '[redacted]',
      DATABASE_URL: 'postgresql://app:[redacted]@db:5432/khiw',
      PORT: 1,
    });
  });
});
