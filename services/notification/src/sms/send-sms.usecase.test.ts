import { describe, expect, it } from '@jest/globals';
import { createLogger, createMetricsRegistry } from '@khiw/observability';
import type { SmsJob } from '@khiw/contracts';
import { KhiwError } from '@khiw/errors';
import { createNotificationMetrics } from '../metrics';
import { SendSms } from './send-sms.usecase';
import type { Claim, SmsLedger } from './sms-ledger';
import type { SmsProvider } from './sms.provider';

const job: SmsJob = {
  schemaVersion: 1,
  smsId: '0f1c5b7e-2d7a-4c1e-9a4b-1f2e3d4c5b6a',
  bookingId: '7a1c5b7e-2d7a-4c1e-9a4b-1f2e3d4c5b6a',
  campaignId: 'c1',
  kind: 'confirmation',
  phone: '+66891234567',
  text: 'ยืนยันนัด',
};

/** A ledger that records what the sender asked of it; the claim is scripted. */
function fakeLedger(claim: Claim) {
  const calls: string[] = [];
  const ledger = {
    claim: async () => claim,
    markSent: async () => (calls.push('sent'), true),
    release: async () => void calls.push('release'),
    recordError: async () => void calls.push('error'),
    markFailed: async (_id: string, _reason: string, permanent: boolean) => (
      calls.push(`failed:${permanent}`),
      true
    ),
  };
  return { ledger: ledger as unknown as SmsLedger, calls };
}

const claimed: Claim = {
  outcome: 'claimed',
  sms: { ...job, id: job.smsId, segments: 1, causedAt: new Date() },
};

function sender(ledger: SmsLedger, send: SmsProvider['send']) {
  const metrics = createNotificationMetrics(createMetricsRegistry('notification'), {
    getWaitingCount: async () => 0,
    getJobCounts: async () => ({}),
  } as never);
  return new SendSms({
    ledger,
    provider: { name: 'fake', send },
    metrics,
    logger: createLogger({ service: 'test', level: 'silent' }),
    settings: { inDoubtAfterMs: 60_000, pauseMs: 500, maxPauseMs: 5000 },
  });
}

describe('SendSms', () => {
  it('records a message the gateway accepted as sent', async () => {
    const { ledger, calls } = fakeLedger(claimed);
    const outcome = await sender(ledger, async () => ({})).execute({ job, finalAttempt: false });
    expect(outcome).toEqual({ action: 'done', result: 'sent' });
    expect(calls).toEqual(['sent']);
  });

  it('fails a refused message (invalid number) at once and reports it as permanent', async () => {
    const { ledger, calls } = fakeLedger(claimed);
    const outcome = await sender(ledger, async () => {
      throw new KhiwError('SMS_REJECTED', 'Kannel refused 403: denied');
    }).execute({ job, finalAttempt: false });
    expect(outcome).toMatchObject({ action: 'fail' });
    expect(calls).toEqual(['failed:true']);
  });

  it('pauses the whole queue, longer while it lasts, when the gateway is down, without failing the message', async () => {
    const { ledger, calls } = fakeLedger(claimed);
    const send = sender(ledger, async () => {
      throw new KhiwError('SMS_UNAVAILABLE', 'Kannel unreachable (ECONNREFUSED)');
    });
    const pauses = [];
    for (let i = 0; i < 6; i++) pauses.push(await send.execute({ job, finalAttempt: true }));
    expect(pauses.map((p) => (p.action === 'pause-queue' ? p.forMs : p.action))).toEqual([
      500, 1000, 2000, 4000, 5000, 5000,
    ]);
    expect(calls.every((c) => c === 'release')).toBe(true);
  });

  it("honours the gateway's Retry-After when it throttles", async () => {
    const { ledger } = fakeLedger(claimed);
    const outcome = await sender(ledger, async () => {
      throw new KhiwError('SMS_THROTTLED', 'throttled', { retryAfterMs: 3000 });
    }).execute({ job, finalAttempt: false });
    expect(outcome).toEqual({ action: 'pause-queue', forMs: 3000, reason: 'throttled' });
  });

  it('retries a transient failure with backoff, and reports it when the attempts run out', async () => {
    const failing = async () => {
      throw new KhiwError('SMS_TRANSIENT', 'Kannel 500');
    };
    const first = fakeLedger(claimed);
    expect(await sender(first.ledger, failing).execute({ job, finalAttempt: false })).toMatchObject({
      action: 'retry',
    });
    expect(first.calls).toEqual(['release']);
    const last = fakeLedger(claimed);
    expect(await sender(last.ledger, failing).execute({ job, finalAttempt: true })).toMatchObject({
      action: 'fail',
    });
    expect(last.calls).toEqual(['release', 'failed:false']);
  });

  it('never sends again while an earlier send is in doubt, and skips what is done', async () => {
    let sent = 0;
    const send = async () => ((sent += 1), {});
    const inDoubt = fakeLedger({ outcome: 'in-doubt', sendingAt: new Date() });
    expect(await sender(inDoubt.ledger, send).execute({ job, finalAttempt: false })).toMatchObject({
      action: 'retry',
    });
    const done = fakeLedger({ outcome: 'done', status: 'delivered' });
    expect(await sender(done.ledger, send).execute({ job, finalAttempt: false })).toEqual({
      action: 'done',
      result: 'already delivered',
    });
    expect(sent).toBe(0);
  });
});
