// k6 scenario for a real cluster: the same waiting-room load as loadtests/waiting-room.bench.ts
// (which runs it on one machine with autocannon, since k6 cannot be installed there).
//
//   k6 run -e BASE_URL=https://khiw.example.org -e CAMPAIGN=samut-sakhon-sinopharm-2021-07 \
//          -e JOIN_RATE=2000 -e STATUS_RATE=20000 -e RESIDENTS_RATE=500 loadtests/k6/waiting-room.js
//
// Scenarios (run together; each can be sized or switched off with its *_RATE = 0):
//   joins     : constant arrival rate of joins (challenge, proof-of-work, POST .../queue)
//   polls     : constant arrival rate of status polls, over tickets made in setup()
//   residents : whole residents: join, then poll as the server asks (pollAfterSeconds),
//               until admitted, sold out, closed or expired; checks the place never changes.
// Never point this at a production campaign with real residents in it.
/* global __ENV */ // k6 provides it
import http from 'k6/http';
import { check, sleep } from 'k6';
import { sha256 } from 'k6/crypto';
import { Counter, Trend } from 'k6/metrics';

const BASE_URL = __ENV.BASE_URL || 'http://127.0.0.1:8080';
const CAMPAIGN = __ENV.CAMPAIGN || 'samut-sakhon-sinopharm-2021-07';
const JOIN_RATE = Number(__ENV.JOIN_RATE || 200);
const STATUS_RATE = Number(__ENV.STATUS_RATE || 1000);
const RESIDENTS_RATE = Number(__ENV.RESIDENTS_RATE || 50);
const DURATION = __ENV.DURATION || '2m';
const SETUP_TICKETS = Number(__ENV.SETUP_TICKETS || 1000);
const RESIDENT_MAX_SECONDS = Number(__ENV.RESIDENT_MAX_SECONDS || 600);

const JSON_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json' };
const admitted = new Counter('khiw_residents_admitted');
const finalOther = new Counter('khiw_residents_final_other');
const placeChanged = new Counter('khiw_residents_place_changed');
const timeToAdmission = new Trend('khiw_time_to_admission_seconds');

function scenario(rate, exec, vus) {
  return {
    executor: 'constant-arrival-rate',
    exec,
    rate,
    timeUnit: '1s',
    duration: DURATION,
    preAllocatedVUs: vus,
    maxVUs: vus * 4,
  };
}

const scenarios = {};
if (JOIN_RATE > 0) scenarios.joins = scenario(JOIN_RATE, 'joinOnce', Math.max(10, JOIN_RATE / 5));
if (STATUS_RATE > 0) scenarios.polls = scenario(STATUS_RATE, 'pollOnce', Math.max(10, STATUS_RATE / 20));
if (RESIDENTS_RATE > 0) {
  scenarios.residents = {
    ...scenario(RESIDENTS_RATE, 'resident', Math.max(50, RESIDENTS_RATE * 60)),
    gracefulStop: `${RESIDENT_MAX_SECONDS}s`,
  };
}

export const options = {
  scenarios,
  thresholds: {
    // The waiting room fails closed with 503 when Redis is away: that must not happen here.
    'http_req_failed{scenario:joins}': ['rate<0.01'],
    'http_req_failed{scenario:polls}': ['rate<0.01'],
    'http_req_duration{scenario:polls}': ['p(99)<300'],
    'http_req_duration{scenario:joins}': ['p(99)<800'],
    khiw_residents_place_changed: ['count==0'],
  },
};

/** Leading zero bits of a hex digest. */
function leadingZeroBits(hex) {
  let bits = 0;
  for (const char of hex) {
    const nibble = parseInt(char, 16);
    if (nibble === 0) {
      bits += 4;
      continue;
    }
    return bits + (Math.clz32(nibble) - 28);
  }
  return bits;
}

/** The same rule as the gateway: sha256(challenge + nonce) starts with `difficulty` zero bits. */
function solve(challenge, difficulty) {
  if (!difficulty) return '0';
  for (let nonce = 0; ; nonce++) {
    if (leadingZeroBits(sha256(challenge + nonce, 'hex')) >= difficulty) return String(nonce);
  }
}

function join(ticket) {
  const challenge = http.get(`${BASE_URL}/api/campaigns/${CAMPAIGN}/queue/challenge`, {
    tags: { name: 'challenge' },
  });
  if (!check(challenge, { 'challenge 200': (r) => r.status === 200 })) return null;
  const { challenge: text, difficulty } = challenge.json();
  const headers = ticket ? { ...JSON_HEADERS, Authorization: `Bearer ${ticket}` } : JSON_HEADERS;
  const response = http.post(
    `${BASE_URL}/api/campaigns/${CAMPAIGN}/queue`,
    JSON.stringify({ challenge: text, nonce: solve(text, difficulty) }),
    { headers, tags: { name: 'join' } },
  );
  check(response, { 'join 200/201': (r) => r.status === 201 || r.status === 200 });
  return response.status === 201 || response.status === 200 ? response.json() : null;
}

function status(ticket) {
  return http.get(`${BASE_URL}/api/queue/status`, {
    headers: { Accept: 'application/json', Authorization: `Bearer ${ticket}` },
    tags: { name: 'status' },
  });
}

export function setup() {
  const tickets = [];
  for (let i = 0; i < (STATUS_RATE > 0 ? SETUP_TICKETS : 0); i++) {
    const answer = join();
    if (answer && answer.ticket) tickets.push(answer.ticket);
  }
  return { tickets };
}

export function joinOnce() {
  join();
}

export function pollOnce(data) {
  const ticket = data.tickets[Math.floor(Math.random() * data.tickets.length)];
  const response = status(ticket);
  check(response, { 'status 200': (r) => r.status === 200 });
}

export function resident() {
  const started = Date.now();
  const first = join();
  if (!first || !first.ticket) return;
  let ticket = first.ticket;
  const queueNumber = first.queueNumber;
  let answer = first;
  while (Date.now() - started < RESIDENT_MAX_SECONDS * 1000) {
    if (answer.state === 'admitted') {
      admitted.add(1);
      timeToAdmission.add((Date.now() - started) / 1000);
      return;
    }
    if (['sold_out', 'closed', 'expired'].includes(answer.state)) {
      finalOther.add(1, { state: answer.state });
      return;
    }
    // Honour the server's pacing, with a little jitter, as the queue page does.
    sleep(Math.max(1, answer.pollAfterSeconds || 5) * (0.9 + Math.random() * 0.2));
    const response = status(ticket);
    if (response.status === 503 || response.status === 0) {
      sleep(2 + Math.random() * 3); // reconnecting: keep the ticket
      continue;
    }
    if (!check(response, { 'resident status 200': (r) => r.status === 200 })) return;
    answer = response.json();
    if (answer.ticket) ticket = answer.ticket;
    if (queueNumber && answer.queueNumber && answer.queueNumber !== queueNumber) placeChanged.add(1);
  }
}
