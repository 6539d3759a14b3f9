/**
 * The replay's HTTP client: keep-alive agents, one per source address across 127.0.0.0/8,
 * so the gateway's per-network budgets see many networks (a phone behind a carrier's NAT
 * shares its address with its neighbours: `addresses` is how many such networks the crowd
 * comes from). Answers every request: a network failure is status 0.
 */
import http from 'node:http';

export interface Answer {
  status: number;
  retryAfter: number | undefined;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: Record<string, any>;
}

export class ReplayClient {
  private readonly agents: http.Agent[];
  private readonly url: URL;
  requests = 0;

  constructor(
    base: string,
    /** The generator's share of source addresses (distinct per generator process). */
    addresses: string[],
    socketsPerAddress: number,
    private readonly timeoutMs: number,
  ) {
    this.url = new URL(base);
    this.agents = addresses.map(
      (localAddress) => new http.Agent({ keepAlive: true, maxSockets: socketsPerAddress, localAddress }),
    );
  }

  request(
    person: number,
    method: string,
    path: string,
    options: { token?: string; body?: unknown } = {},
  ): Promise<Answer> {
    this.requests++;
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    return new Promise((resolve) => {
      const fail = (error?: NodeJS.ErrnoException) =>
        resolve({
          status: 0,
          retryAfter: undefined,
          body: { network: error?.code ?? error?.message ?? 'closed' },
        });
      const request = http.request(
        {
          host: this.url.hostname,
          port: this.url.port,
          path,
          method,
          agent: this.agents[person % this.agents.length],
          timeout: this.timeoutMs,
          headers: {
            accept: 'application/json',
            ...(options.token && { authorization: `Bearer ${options.token}` }),
            ...(payload !== undefined && { 'content-type': 'application/json' }),
          },
        },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => {
            let body: Answer['body'] = {};
            try {
              if (text) body = JSON.parse(text) as Answer['body'];
            } catch {
              body = { text: text.slice(0, 200) };
            }
            const retryAfter = Number(response.headers['retry-after']);
            resolve({
              status: response.statusCode ?? 0,
              retryAfter: Number.isFinite(retryAfter) ? retryAfter : undefined,
              body,
            });
          });
          response.on('error', (error: NodeJS.ErrnoException) => fail(error));
        },
      );
      request.on('timeout', () => request.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
      request.on('error', (error: NodeJS.ErrnoException) => fail(error));
      request.end(payload);
    });
  }

  close(): void {
    for (const agent of this.agents) agent.destroy();
  }
}

/** Source addresses 127.<a>.<b>.<c> for network numbers [from, to): never 127.0.0.x. */
export function sourceAddresses(from: number, to: number): string[] {
  return Array.from({ length: to - from }, (_, k) => {
    const n = from + k;
    return `127.${1 + Math.floor(n / 64_000)}.${Math.floor(n / 250) % 256}.${1 + (n % 250)}`;
  });
}
