import { Counter, Gauge, Histogram, type Registry } from '@khiw/observability';

export interface WaitingRoomMetrics {
  joins: Counter<'result'>;
  rateLimited: Counter<'budget'>;
  statusPolls: Counter<'state'>;
  statusDuration: Histogram<'status'>;
  admitted: Counter;
  passedOver: Counter;
  expired: Counter<'kind'>;
  placesFreed: Counter<'reason'>;
  tokensRefused: Counter<'code'>;
  waiting: Gauge<'campaign'>;
  active: Gauge<'campaign'>;
  serving: Gauge<'campaign'>;
}

export function createWaitingRoomMetrics(registry: Registry): WaitingRoomMetrics {
  const registers = [registry];
  return {
    joins: new Counter({
      name: 'khiw_gateway_queue_joins_total',
      help: 'Joins by result (prequeue, waiting, rejoined, final, refused)',
      labelNames: ['result'],
      registers,
    }),
    rateLimited: new Counter({
      name: 'khiw_gateway_queue_rate_limited_total',
      help: 'Challenges and joins refused 429 per network, by the budget that refused (joins, challenges, failures)',
      labelNames: ['budget'],
      registers,
    }),
    statusPolls: new Counter({
      name: 'khiw_gateway_queue_status_polls_total',
      help: 'Status polls by the state answered',
      labelNames: ['state'],
      registers,
    }),
    // The status poll skips the generic HTTP metrics (it is mounted ahead of them): its
    // latency and its 5xx answers are counted here, for the p99 and 5xx-ratio alerts.
    statusDuration: new Histogram({
      name: 'khiw_gateway_queue_status_duration_seconds',
      help: 'GET /api/queue/status latency by HTTP status (its _count: polls answered)',
      labelNames: ['status'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    admitted: new Counter({
      name: 'khiw_gateway_queue_admitted_total',
      help: 'Places admitted by this replica’s admission steps',
      registers,
    }),
    passedOver: new Counter({
      name: 'khiw_gateway_queue_passed_over_total',
      help: 'Places passed over because their ticket stopped asking (admitted on return)',
      registers,
    }),
    expired: new Counter({
      name: 'khiw_gateway_queue_expired_total',
      help: 'Admitted places that expired: unclaimed (never asked) or access (token unused)',
      labelNames: ['kind'],
      registers,
    }),
    placesFreed: new Counter({
      name: 'khiw_gateway_queue_places_freed_total',
      help: 'Active places freed after a booking: done (the page released it), booked (the last booking of the grant), grace (the family grace after a booking ran out)',
      labelNames: ['reason'],
      registers,
    }),
    tokensRefused: new Counter({
      name: 'khiw_gateway_queue_tokens_refused_total',
      help: 'Tickets, access and ops tokens refused, by reason',
      labelNames: ['code'],
      registers,
    }),
    waiting: new Gauge({
      name: 'khiw_gateway_queue_waiting',
      help: 'Residents waiting (numbers given out but not reached, plus the pre-queue)',
      labelNames: ['campaign'],
      registers,
    }),
    active: new Gauge({
      name: 'khiw_gateway_queue_active',
      help: 'Admitted places counted against maxActive (unclaimed or in the booking form)',
      labelNames: ['campaign'],
      registers,
    }),
    serving: new Gauge({
      name: 'khiw_gateway_queue_serving_number',
      help: 'The serving counter',
      labelNames: ['campaign'],
      registers,
    }),
  };
}
