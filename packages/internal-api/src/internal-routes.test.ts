import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { KhiwError } from '@khiw/errors';
import { internalErrorHandler } from './internal-routes';

describe('internalErrorHandler', () => {
  const logged: { fields: Record<string, unknown>; message: string }[] = [];
  let server: http.Server;
  const url = (path: string) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;

  beforeAll(async () => {
    const app = express();
    app.get('/internal/known', () => {
      throw new KhiwError('NOT_FOUND', 'no such booking');
    });
    app.get('/internal/bug', () => {
      throw new TypeError('cannot read x of undefined');
    });
    app.get('/internal/mid-stream', (_req, res, next) => {
      res.write('partial');
      next(new Error('broke mid-answer'));
    });
    app.use(
      '/internal',
      internalErrorHandler({ error: (fields, message) => logged.push({ fields, message }) }),
    );
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
  });
  afterAll(() => {
    server.close();
  });

  it('answers a KhiwError with its code and logs nothing', async () => {
    const res = await fetch(url('/internal/known'));
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ code: 'NOT_FOUND' });
    expect(logged).toHaveLength(0);
  });

  it('logs an unexpected error with its stack and answers 500 INTERNAL in JSON, not an HTML page', async () => {
    const res = await fetch(url('/internal/bug'));
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ code: 'INTERNAL' });
    expect(logged).toHaveLength(1);
    const [entry] = logged;
    expect(entry?.message).toBe('internal route failed');
    expect(entry?.fields).toMatchObject({ method: 'GET', path: '/bug' });
    expect((entry?.fields.err as Error).stack).toContain('cannot read x of undefined');
  });

  it('logs an error after the answer started and leaves the cut to express', async () => {
    logged.length = 0;
    await expect(fetch(url('/internal/mid-stream')).then((res) => res.text())).rejects.toThrow();
    expect(logged.map((entry) => entry.message)).toEqual(['internal route failed']);
  });
});
