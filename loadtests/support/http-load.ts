import autocannon from 'autocannon';

export interface LoadFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  total: number;
  non2xx: number;
  errors: number;
}

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  body?: string;
  connections: number;
  /** Seconds; or `amount` requests, whichever is given. */
  durationSeconds?: number;
  amount?: number;
  /** One Authorization value per request, in turn (tickets). */
  bearers?: string[];
}

/** Drives one endpoint with autocannon (bounded by time or count) and returns its figures. */
export async function httpLoad(options: LoadOptions): Promise<LoadFigures> {
  let turn = 0;
  const bearers = options.bearers;
  const result = await autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    connections: options.connections,
    ...(options.amount ? { amount: options.amount } : { duration: options.durationSeconds ?? 5 }),
    timeout: 10,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    requests: [
      {
        method: options.method ?? 'GET',
        body: options.body,
        setupRequest: (request) =>
          bearers?.length
            ? {
                ...request,
                headers: { ...request.headers, authorization: `Bearer ${bearers[turn++ % bearers.length]}` },
              }
            : request,
      },
    ],
  });
  const total = result.requests.total;
  return {
    // Mean over the run's whole seconds (autocannon's own figure).
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}
