/**
 * Prints a staff or ops token signed with the gateway's key (the same configuration the
 * gateway reads: GATEWAY_SIGNING_KEY / _FILE / _ID, or the development key in .local).
 *
 *   node --import tsx services/gateway/src/cli/mint-token.ts --role ops --sub alice --ttl 8h
 *   node --import tsx services/gateway/src/cli/mint-token.ts --role staff --site SKH --sub nurse-1
 *   node --import tsx services/gateway/src/cli/mint-token.ts --role ops --campaign samut-sakhon-2021
 *   node --import tsx services/gateway/src/cli/mint-token.ts --role agent --channel call_center --sub agent-07
 *   node --import tsx services/gateway/src/cli/mint-token.ts --role agent --channel walk_in --site SKH --sub desk-3
 *   node --import tsx services/gateway/src/cli/mint-token.ts --role organisation --sub wat-pho --campaign bangkok-2021
 *
 * A staff token names its site (--site): the roster pages show and check in that site only.
 * An agent token names its channel (--channel call_center or walk_in); a walk-in counter's
 * also its site: it books at that site only.
 * An organisation token's --sub is the organisation's id (ops set its cap with PUT
 * /api/admin/campaigns/:campaignId/organisations/:organisationId) and it names its --campaign.
 * --campaign scopes a token (a province's ops or staff) to one campaign: every other campaign,
 * and what spans all of them (the national registry import, bull-board), is refused.
 */
import { parseArgs } from 'node:util';
import { campaignId } from '@khiw/contracts';
import { createLogger } from '@khiw/observability';
import { loadConfig } from '../config';
import { loadKeyring } from '../waiting-room/tokens/load-keyring';
import {
  AGENT_CHANNELS,
  OPS_ROLES,
  QueueTokens,
  type AgentChannel,
  type OpsRole,
} from '../waiting-room/tokens/queue-tokens';

const { values } = parseArgs({
  options: {
    role: { type: 'string', default: 'ops' },
    sub: { type: 'string', default: process.env.USER ?? 'operator' },
    ttl: { type: 'string', default: '8h' },
    site: { type: 'string' },
    campaign: { type: 'string' },
    channel: { type: 'string' },
  },
});

const role = values.role as OpsRole;
if (!OPS_ROLES.includes(role)) {
  console.error(`--role must be one of ${OPS_ROLES.join(', ')}`);
  process.exit(64);
}
const match = /^(\d+)([smhd]?)$/.exec(values.ttl ?? '');
if (!match) {
  console.error('--ttl like 900, 15m, 8h or 1d');
  process.exit(64);
}
const ttlSeconds =
  Number(match[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];

const config = loadConfig();
// Silent logger: stdout carries only the token, so `$(...)` captures it cleanly.
const keyring = loadKeyring(config, createLogger({ service: 'mint-token', level: 'silent' }));
if (values.site !== undefined && !/^[A-Za-z0-9_-]{1,40}$/.test(values.site)) {
  console.error('--site is a site id such as SKH');
  process.exit(64);
}
if (values.campaign !== undefined && !campaignId.safeParse(values.campaign).success) {
  console.error('--campaign is a campaign id such as samut-sakhon-2021');
  process.exit(64);
}
const channel = values.channel as AgentChannel | undefined;
if ((role === 'agent') !== (channel !== undefined) || (channel && !AGENT_CHANNELS.includes(channel))) {
  console.error(`--channel (${AGENT_CHANNELS.join(' or ')}) goes with --role agent, and only with it`);
  process.exit(64);
}
if (role === 'organisation' && (!values.campaign || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(values.sub!))) {
  console.error('an organisation token names its campaign (--campaign) and its id (--sub, e.g. wat-pho)');
  process.exit(64);
}
if (channel === 'walk_in' && !values.site) {
  console.error('a walk_in counter token names its site (--site)');
  process.exit(64);
}
const scope = `${values.site ? ` at ${values.site}` : ''}${values.campaign ? ` for ${values.campaign}` : ''}`;
console.error(`${role} token for ${values.sub}${scope}, key ${keyring.signing.kid}, valid ${ttlSeconds} s`);
const tokens = new QueueTokens(keyring, { ticketTtlSeconds: config.WAITING_ROOM_TICKET_TTL_SECONDS });
console.log(
  tokens.signOps({
    subject: values.sub!,
    role,
    ttlSeconds,
    site: values.site,
    campaign: values.campaign,
    channel,
  }),
);
