import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KhiwError } from '@khiw/errors';
import { generateSigningKey, Keyring } from '../waiting-room/tokens/keyring';
import { QueueTokens } from '../waiting-room/tokens/queue-tokens';
import { PartnerRegistry, sha256Hex } from './partner-registry';
import { PartnerTokens } from './partner-tokens';

const SECRET = 'pk_a-secret-of-enough-length';
const entry = (keys: unknown[], id = 'mor-app') => ({ id, channel: 'app', keys });

describe('PartnerRegistry', () => {
  it('matches an API key by its hash only, against every listed key', () => {
    const registry = new PartnerRegistry({
      json: JSON.stringify([
        entry([
          { kid: 'old', sha256: sha256Hex('pk_old-key-0123456789') },
          { kid: 'new', sha256: sha256Hex(SECRET) },
        ]),
      ]),
    });
    const partner = registry.find('mor-app')!;
    expect(registry.checkApiKey(partner, SECRET)).toBe(true);
    expect(registry.checkApiKey(partner, 'pk_old-key-0123456789')).toBe(true);
    expect(registry.checkApiKey(partner, `${SECRET}x`)).toBe(false);
    expect(registry.find('nobody')).toBeUndefined();
  });

  it('stops the start on a wrong list: a bad channel, a clear-text key, twice the same id', () => {
    const bad = [
      [{ id: 'x1', channel: 'web', keys: [{ kid: 'k', sha256: sha256Hex(SECRET) }] }],
      [entry([{ kid: 'k', secret: SECRET }])],
      [entry([{ kid: 'k', sha256: sha256Hex(SECRET) }]), entry([{ kid: 'k', sha256: sha256Hex(SECRET) }])],
    ];
    for (const list of bad) expect(() => new PartnerRegistry({ json: JSON.stringify(list) })).toThrow();
  });

  it('reads the file again when it changes, and keeps the last good list when it stops parsing', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'partners-')), 'partners.json');
    writeFileSync(file, JSON.stringify([entry([{ kid: 'k', sha256: sha256Hex(SECRET) }])]));
    const failures: Error[] = [];
    const registry = new PartnerRegistry({ file }, (error) => failures.push(error));
    expect(registry.find('mor-app')).toBeDefined();
    writeFileSync(file, JSON.stringify([entry([{ kid: 'k', sha256: sha256Hex(SECRET) }], 'other-app')]));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(registry.find('mor-app')).toBeUndefined();
    writeFileSync(file, '{ not json');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(registry.find('other-app')).toBeDefined();
    expect(failures).toHaveLength(1);
  });
});

describe('PartnerTokens', () => {
  const keyring = new Keyring(generateSigningKey('k1'));
  const partners = new PartnerTokens(keyring, 300);
  const tokens = new QueueTokens(keyring, { ticketTtlSeconds: 60 });
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return error instanceof KhiwError ? error.code : String(error);
    }
    return 'accepted';
  };

  it('is no ticket, access or operator token, and they are no partner token', () => {
    const partner = partners.sign({ partnerId: 'mor-app', channel: 'app' });
    expect(partners.verify(partner)).toEqual({ partnerId: 'mor-app', channel: 'app' });
    expect(code(() => tokens.verifyOps(partner, ['ops', 'staff', 'agent']))).toBe('TOKEN_WRONG_AUDIENCE');
    expect(code(() => tokens.verifyTicket(partner, 'c1'))).toBe('TOKEN_WRONG_AUDIENCE');
    const ops = tokens.signOps({ subject: 'o', role: 'ops', ttlSeconds: 60 });
    expect(code(() => partners.verify(ops))).toBe('TOKEN_WRONG_AUDIENCE');
    expect(code(() => partners.verify('not-a-token'))).toBe('TOKEN_INVALID');
    const other = new PartnerTokens(new Keyring(generateSigningKey('k1')), 300);
    expect(code(() => partners.verify(other.sign({ partnerId: 'mor-app', channel: 'store' })))).toBe(
      'TOKEN_INVALID',
    );
  });
});
