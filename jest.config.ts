import type { Config } from 'jest';

// Two projects: `unit` (fast, no servers, next to the code as *.test.ts) and `integration`
// (*.int.test.ts, against the real Redis, PostgreSQL, Kafka and Kannel brought up by
// `pnpm infra:up`). Both transform TypeScript with SWC; type checking is `pnpm typecheck`.
const transform: Config['transform'] = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
};

const shared = {
  transform,
  testEnvironment: 'node',
  roots: [
    '<rootDir>/services',
    '<rootDir>/packages',
    '<rootDir>/infra',
    '<rootDir>/test',
    '<rootDir>/loadtests',
  ],
  modulePathIgnorePatterns: ['<rootDir>/.local/'],
};

const config: Config = {
  // A global option in jest 30 (ignored inside a project): integration tests start real processes.
  testTimeout: 180_000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['\\.int\\.test\\.ts$', '/node_modules/'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['**/*.int.test.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      slowTestThreshold: 30,
    },
  ],
};

export default config;
