import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { createLogger } from './logger';
import { maskString } from './mask';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger({ service: 'test', destination }) };
}

const CITIZEN = '1103702071811';
const PHONE = '+66812345678';

describe('logger masking', () => {
  it('never writes a citizen ID or phone in clear, whatever the field or message', () => {
    const { lines, logger } = capture();
    logger.info({ citizenId: CITIZEN, phone: PHONE, job: { data: { phone: '0812345678' } } }, 'booking');
    logger.info(`looked up ${CITIZEN} for 081-234-5678`);
    logger.error({ err: new Error(`duplicate citizen 1-1037-02071-81-1 phone ${PHONE}`) }, 'failed');
    logger.warn({ note: `sms to 66812345678` }, 'x');
    const out = lines.join('');
    for (const raw of [CITIZEN, '1-1037-02071-81-1', PHONE, '0812345678', '081-234-5678', '66812345678']) {
      expect(out).not.toContain(raw);
    }
    expect(out).toContain('xxxxxxxxxx811');
    expect(out).toContain('678');
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', service: 'test', msg: 'booking' });
  });

  it('leaves ordinary numbers alone', () => {
    expect(maskString('slot SKH-20210802-0900 has 19 places, 30000 doses')).toBe(
      'slot SKH-20210802-0900 has 19 places, 30000 doses',
    );
  });
});
