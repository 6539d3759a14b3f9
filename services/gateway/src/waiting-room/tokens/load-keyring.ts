import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '@khiw/observability';
import type { GatewayConfig } from '../../config';
import {
  generateSigningKey,
  Keyring,
  privateKeyPem,
  signingKeyFromPem,
  verificationKeyFromPem,
  type SigningKey,
} from './keyring';

/**
 * The configured key; without one (development and test only, config refuses production):
 * development keeps a generated key in .local so replicas and the mint-token CLI share it,
 * test uses an ephemeral one. Both log a warning.
 */
export function loadKeyring(config: GatewayConfig, logger: Logger): Keyring {
  const previous = config.GATEWAY_PREVIOUS_PUBLIC_KEY
    ? [verificationKeyFromPem(config.GATEWAY_PREVIOUS_PUBLIC_KEY, config.GATEWAY_PREVIOUS_KEY_ID!)]
    : [];
  return new Keyring(signingKey(config, logger), previous);
}

function signingKey(config: GatewayConfig, logger: Logger): SigningKey {
  const kid = config.GATEWAY_SIGNING_KEY_ID;
  if (config.GATEWAY_SIGNING_KEY) return signingKeyFromPem(config.GATEWAY_SIGNING_KEY, kid);
  if (config.GATEWAY_SIGNING_KEY_FILE) {
    return signingKeyFromPem(readFileSync(config.GATEWAY_SIGNING_KEY_FILE, 'utf8'), kid);
  }
  if (config.NODE_ENV === 'development') {
    const file = config.GATEWAY_DEV_KEY_FILE;
    if (existsSync(file)) {
      logger.warn({ file }, 'no GATEWAY_SIGNING_KEY: using the development key file');
      return signingKeyFromPem(readFileSync(file, 'utf8'), 'dev');
    }
    const key = generateSigningKey('dev');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, privateKeyPem(key), { mode: 0o600 });
    logger.warn({ file }, 'no GATEWAY_SIGNING_KEY: generated a development key (never in production)');
    return key;
  }
  const key = generateSigningKey();
  logger.warn({ kid: key.kid }, 'no GATEWAY_SIGNING_KEY: using an ephemeral key for this process');
  return key;
}
