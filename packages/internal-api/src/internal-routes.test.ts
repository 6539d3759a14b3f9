import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import express from 'express';
import { KhiwError } from '@khiw/errors';
import { answerInternalClientError, internalErrorHandler } from './internal-routes';

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

describe('answerInternalClientError', () => {
  /** The raw answer of a server with the listener to `request`, read until it closes. */
  async function rawAnswer(request: string): Promise<string> {
    const server = http.createServer((_req, res) => res.end('ok'));
    server.on('clientError', answerInternalClientError);
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
      socket.end(request);
      let text = '';
      socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      await new Promise((resolve) => socket.once('close', resolve));
      return text;
    } finally {
      server.close();
    }
  }

  it("answers headers past Node's 16 KiB with 431 { code } in JSON, not an empty answer", async () => {
    const answer = await rawAnswer(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'x'.repeat(20_000)}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(answer).toContain('Content-Type: application/json');
    expect(answer.split('\r\n\r\n')[1]).toBe('{"code":"HEADERS_TOO_LARGE"}');
  });

  it('answers a request that is not HTTP with 400 MALFORMED_REQUEST', async () => {
    const answer = await rawAnswer('HELLO\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer.split('\r\n\r\n')[1]).toBe('{"code":"MALFORMED_REQUEST"}');
  });
});
