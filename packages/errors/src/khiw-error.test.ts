import { describe, expect, it } from '@jest/globals';
import { ERROR_CODES, isErrorCode, REJECTION_CODES, SMS_SEND_CODES } from './codes';
import { KhiwError } from './khiw-error';

describe('KhiwError', () => {
  it('carries its code, message, cause and details', () => {
    const cause = new Error('socket hang up');
    const error = new KhiwError('SMS_IN_DOUBT', 'kannel timed out', {
      cause,
      retryAfterMs: 5000,
      details: { smsId: 'a' },
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('SMS_IN_DOUBT');
    expect(error.message).toBe('kannel timed out');
    expect(error.cause).toBe(cause);
    expect(error.retryAfterMs).toBe(5000);
    expect(error.details).toEqual({ smsId: 'a' });
    expect(String(error)).toBe('KhiwError SMS_IN_DOUBT: kannel timed out');
  });

  it('takes retriable from the code unless told', () => {
    expect(new KhiwError('SMS_TRANSIENT').retriable).toBe(true);
    expect(new KhiwError('SMS_REJECTED').retriable).toBe(false);
    expect(new KhiwError('NOT_FOUND').retriable).toBe(false);
    expect(new KhiwError('MIGRATION_FAILED', 'x', { retriable: true }).retriable).toBe(true);
    expect(new KhiwError('SUBMIT_BUSY', 'x', { retriable: false }).retriable).toBe(false);
  });

  it('is recognised by code and by list, and nothing else passes', () => {
    const error = new KhiwError('SLOT_FULL');
    expect(KhiwError.is(error)).toBe(true);
    expect(KhiwError.is(error, 'SLOT_FULL', 'SOLD_OUT')).toBe(true);
    expect(KhiwError.is(error, 'NOT_FOUND')).toBe(false);
    expect(KhiwError.inList(error, REJECTION_CODES)).toBe(true);
    expect(KhiwError.inList(error, SMS_SEND_CODES)).toBe(false);
    expect(KhiwError.is(new Error('SLOT_FULL'))).toBe(false);
    expect(KhiwError.is({ code: 'SLOT_FULL' })).toBe(false);
    expect(KhiwError.is(null)).toBe(false);
  });

  it('has one list of distinct codes', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    expect(isErrorCode('SOLD_OUT')).toBe(true);
    expect(isErrorCode('SOLD OUT')).toBe(false);
    expect(isErrorCode(42)).toBe(false);
  });
});
