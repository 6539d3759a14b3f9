import { createHash } from 'node:crypto';
import http from 'node:http';
import fc from 'fast-check';
import { encodeBody, type FuzzBody } from './arbitraries';

/** One generated request. `gzipHonest`: a gzip claim comes with a gzipped body. */
export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string | undefined>;
  body?: FuzzBody;
  gzipHonest?: boolean;
}

/** Which error envelope the service answers with (docs/api.md; internal APIs: codes only). */
export type Envelope = 'gateway' | 'internal';

export interface Endpoint {
  name: string;
  envelope: Envelope;
  request: fc.Arbitrary<FuzzRequest>;
  /** Sees every answer (the registry import sums what it inserted). */
  observe?: (status: number, text: string) => void;
  /** A 4xx that is a documented answer, not a problem (the import's 422 with its report). */
  documented?: (status: number, text: string) => boolean;
}

export interface Failure {
  index: number;
  reason: string;
  request: string;
  answer: string;
}

export interface FuzzOutcome {
  name: string;
  seed: number;
  sent: number;
  planned: number;
  ms: number;
  statuses: Record<string, number>;
  /** 429 RATE_LIMITED answers: requests the limiter stopped before the handler. */
  rateLimited: number;
  failures: Failure[];
}

/** FUZZ_RUNS (default 10,000) requests per endpoint; FUZZ_SEED replays a run. */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
export const FUZZ_SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;
/** Only the endpoints whose name contains this (to replay one). */
export const FUZZ_ONLY = process.env.FUZZ_ONLY;
/** The time bound of one endpoint's run, whatever FUZZ_RUNS asks. */
const SECONDS_PER_ENDPOINT = Number(process.env.FUZZ_SECONDS_PER_ENDPOINT ?? 120);
/** One endpoint's test: its time bound, then up to 3 minutes to drain and count (300 s by default). */
export const FUZZ_TEST_TIMEOUT_MS = (SECONDS_PER_ENDPOINT + 180) * 1000;
const CONCURRENCY = Number(process.env.FUZZ_CONCURRENCY ?? 16);
/**
 * Requests per source address before the lane moves to the next one: under the gateway's
 * per-network limits (120/min self-service; 6,000 joins, 1,200 unredeemed challenges and 600
 * failed joins a minute on the queue), so most requests reach the handlers with the limits
 * on. The gateway trusts loopback proxies, so a socket's own address in 127.0.0.0/8 is the
 * client's address when no X-Forwarded-For is sent.
 */
const PER_ADDRESS = 100;
const CHUNK = 200;
const REQUEST_TIMEOUT_MS = 15_000;

let addressCounter = 1 + (FUZZ_SEED % 1000) * 60;
function nextAddress(): string {
  const n = addressCounter++;
  return `127.${1 + (Math.floor(n / 64_000) % 250)}.${Math.floor(n / 250) % 256}.${1 + (n % 250)}`;
}

/** The endpoint's own seed: the run's seed and its name, so one endpoint replays alone. */
export function seedOf(name: string): number {
  const hash = createHash('sha256').update(name).digest().readUInt32BE(0);
  return (FUZZ_SEED ^ hash) >>> 0;
}

/**
 * Sends `runs` generated requests (bounded by SECONDS_PER_ENDPOINT) to 127.0.0.1:port over
 * keep-alive lanes, checks each answer (`check`) and counts statuses. Never throws: the
 * caller asserts on the outcome, so every endpoint's figures are reported.
 */
export async function fuzzEndpoint(port: number, endpoint: Endpoint, runs = FUZZ_RUNS): Promise<FuzzOutcome> {
  const seed = seedOf(endpoint.name);
  const outcome: FuzzOutcome = {
    name: endpoint.name,
    seed,
    sent: 0,
    planned: runs,
    ms: 0,
    statuses: {},
    rateLimited: 0,
    failures: [],
  };
  const started = Date.now();
  const deadline = started + SECONDS_PER_ENDPOINT * 1000;
  let next = 0;
  let chunkStart = -1;
  let chunk: FuzzRequest[] = [];
  const take = (index: number): FuzzRequest => {
    const at = Math.floor(index / CHUNK) * CHUNK;
    if (at !== chunkStart) {
      chunk = fc.sample(endpoint.request, { seed: (seed + at) | 0, numRuns: CHUNK });
      chunkStart = at;
    }
    return chunk[index - at]!;
  };
  const lane = async () => {
    let agent: http.Agent | undefined;
    let used = PER_ADDRESS;
    while (next < runs && Date.now() < deadline) {
      const index = next++;
      if (used >= PER_ADDRESS) {
        agent?.destroy();
        agent = new http.Agent({ keepAlive: true, maxSockets: 1, localAddress: nextAddress() });
        used = 0;
      }
      used++;
      const request = take(index);
      const answer = await send(agent!, port, request);
      outcome.sent++;
      const key = 'error' in answer ? answer.error : String(answer.status);
      outcome.statuses[key] = (outcome.statuses[key] ?? 0) + 1;
      if ('status' in answer) {
        try {
          endpoint.observe?.(answer.status, answer.text);
        } catch (error) {
          outcome.failures.push({
            index,
            reason: `observe: ${String(error)}`,
            request: describe(request),
            answer: '',
          });
        }
      }
      if ('status' in answer && answer.status === 429 && /RATE_LIMITED/.test(answer.text))
        outcome.rateLimited++;
      const documented = 'status' in answer && endpoint.documented?.(answer.status, answer.text);
      const reason = documented ? undefined : violation(endpoint.envelope, request, answer);
      if (reason && outcome.failures.length < 20) {
        outcome.failures.push({ index, reason, request: describe(request), answer: describeAnswer(answer) });
      }
      // A socket the server closed (after a 413, say) is not reused.
      if ('error' in answer) used = PER_ADDRESS;
    }
    agent?.destroy();
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  outcome.ms = Date.now() - started;
  return outcome;
}

export type Answer = { status: number; headers: http.IncomingHttpHeaders; text: string } | { error: string };

/** One request on its own connection, for the fixed inputs that once broke a rule. */
export async function sendOnce(port: number, request: FuzzRequest): Promise<Answer> {
  const agent = new http.Agent({ keepAlive: false });
  try {
    return await send(agent, port, request);
  } finally {
    agent.destroy();
  }
}

/** Header values as the bytes a raw client sends: UTF-8 read as latin1, minus what Node refuses. */
function headerValue(value: string): string {
  return Buffer.from(value, 'utf8')
    .toString('latin1')
    .replace(/[^\t\x20-\x7e\x80-\xff]/g, '');
}

function bodyBytes(request: FuzzRequest): Buffer | undefined {
  const body = request.body;
  if (!body) return undefined;
  let data: Buffer;
  if (body.kind === 'bytes') data = body.data;
  else if (body.json) data = Buffer.from(`{"a":"${'x'.repeat(Math.max(0, body.size - 8))}"}`);
  else data = Buffer.alloc(body.size, 'a');
  return encodeBody(data, request.headers['content-encoding'], request.gzipHonest ?? false);
}

function send(agent: http.Agent, port: number, request: FuzzRequest): Promise<Answer> {
  const body = bodyBytes(request);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = headerValue(value);
  }
  if (body) headers['content-length'] = String(body.length);
  return new Promise((resolve) => {
    let settled = false;
    const done = (answer: Answer) => {
      if (!settled) resolve(answer);
      settled = true;
    };
    const req = http.request(
      { host: '127.0.0.1', port, method: request.method, path: request.path, headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          // Keep the start only: an export can be long, the check reads the envelope.
          if (size < 1_048_576) chunks.push(c);
          size += c.length;
        });
        res.on('end', () =>
          done({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', (e) => done({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
      },
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () =>
      req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })),
    );
    req.on('error', (e) => done({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
    req.end(body);
  });
}

/** Why this answer breaks an invariant, or undefined. */
export function violation(envelope: Envelope, request: FuzzRequest, answer: Answer): string | undefined {
  if ('error' in answer) {
    // A server may close the socket while a body past its limit (8 kB the smallest) is still
    // being written: HTTP lets it stop reading. Any other reset is a resident without an answer.
    // The same for a body in a Content-Encoding the server cannot undo (a lying gzip): it stops
    // reading at the first bytes that do not inflate.
    const size = request.body?.kind === 'fill' ? request.body.size : 0;
    const undecodable = request.headers['content-encoding'] !== undefined && !request.gzipHonest;
    if ((size > 8 * 1024 || undecodable) && /EPIPE|ECONNRESET/.test(answer.error)) return undefined;
    return `no answer: ${answer.error}`;
  }
  const { status, headers, text } = answer;
  if (status >= 500 && !(status === 503 && headers['retry-after'])) return `status ${status}`;
  if (status === 429 && !headers['retry-after']) return '429 without Retry-After';
  if (status < 400) return undefined;
  // Node's HTTP parser refuses headers past 16 KiB before any app code runs: every service
  // answers it in its own envelope (clientErrorListener), never Node's bare 431.
  if (!/^application\/json/.test(String(headers['content-type']))) return `${status} not JSON`;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `${status} body does not parse`;
  }
  return envelope === 'gateway' ? gatewayEnvelope(body) : internalEnvelope(body);
}

/** `{ error: { code, message: { th, en }, fields? } }` (services/gateway/src/http/problem.ts). */
function gatewayEnvelope(body: unknown): string | undefined {
  const error = (body as { error?: { code?: unknown; message?: { th?: unknown; en?: unknown } } }).error;
  if (!error || typeof error.code !== 'string' || !/^[A-Z_]+$/.test(error.code)) return 'no error code';
  if (typeof error.message?.th !== 'string' || !/[\u0E00-\u0E7F]/.test(error.message.th))
    return 'no Thai message';
  if (typeof error.message.en !== 'string' || !error.message.en) return 'no English message';
  return undefined;
}

/** `{ code, fields? }` (packages/internal-api). */
function internalEnvelope(body: unknown): string | undefined {
  const problem = body as { code?: unknown; fields?: unknown };
  if (typeof problem?.code !== 'string' || !/^[A-Z_]+$/.test(problem.code)) return 'no error code';
  if (problem.fields !== undefined && (typeof problem.fields !== 'object' || problem.fields === null)) {
    return 'fields is not an object';
  }
  return undefined;
}

function describe(request: FuzzRequest): string {
  const body = request.body;
  const shown =
    body === undefined
      ? ''
      : body.kind === 'fill'
        ? `<${body.size} bytes${body.json ? ' of JSON' : ''}>`
        : JSON.stringify(body.data.toString('utf8').slice(0, 300));
  return `${request.method} ${request.path.slice(0, 300)} ${JSON.stringify(request.headers).slice(0, 400)} ${shown}`;
}

function describeAnswer(answer: Answer): string {
  if ('error' in answer) return answer.error;
  // A 5xx page of express carries the error's stack in test mode: enough of it to find the cause.
  const text =
    answer.status >= 500 ? answer.text.replace(/<[^>]*>|&nbsp;/g, ' ').replace(/\s+/g, ' ') : answer.text;
  return `${answer.status} ${text.slice(0, answer.status >= 500 ? 1500 : 300)}`;
}

/** One line per endpoint for the test log and docs, and the replay command on failure. */
export function summary(outcome: FuzzOutcome): string {
  const statuses = Object.entries(outcome.statuses)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([s, n]) => `${s}:${n}`)
    .join(' ');
  const reached = outcome.sent ? (1 - outcome.rateLimited / outcome.sent) * 100 : 0;
  return (
    `${outcome.name}: ${outcome.sent}/${outcome.planned} in ${(outcome.ms / 1000).toFixed(1)}s ` +
    `(${Math.round((outcome.sent * 1000) / Math.max(1, outcome.ms))}/s), past limiter ${reached.toFixed(1)}% [${statuses}]`
  );
}

export function replayHint(outcome: FuzzOutcome): string {
  return `replay: FUZZ_SEED=${FUZZ_SEED} FUZZ_ONLY='${outcome.name}' FUZZ_RUNS=${outcome.planned} (endpoint seed ${outcome.seed})`;
}
