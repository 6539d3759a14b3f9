/** What `./khiw start` prints once every service is ready: where to go, and the demo's clock. */

export interface CampaignTiming {
  id: string;
  /** The waiting room's opening as the room holds it (it may differ from the file after a PATCH). */
  opensAt: Date | null;
}

export interface BannerInput {
  gateway: string;
  services: Array<{ name: string; url: string }>;
  campaigns: CampaignTiming[];
  now: Date;
  /** Set when the demo moved the dates: the slot days it gave the campaign. */
  demo: { file: string; firstDay: string; lastDay: string } | null;
  opsToken: { token: string; subject: string; ttl: string } | null;
  prometheus: string | null;
  logDir: string;
}

const bangkokClock = (date: Date) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Bangkok',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(date);

/** 'in 2 min 40 s', or 'open since 14:02' for an opening already past. */
export function openingNote(opensAt: Date | null, now: Date): string {
  if (!opensAt) return 'opening time unknown';
  const seconds = Math.round((opensAt.getTime() - now.getTime()) / 1000);
  if (seconds <= 0) return `open since ${bangkokClock(opensAt)} Bangkok time`;
  const minutes = Math.floor(seconds / 60);
  const wait = minutes > 0 ? `${minutes} min ${seconds % 60} s` : `${seconds} s`;
  return `opens at ${bangkokClock(opensAt)} Bangkok time, in ${wait}: join now to see the pre-queue and its shuffle`;
}

export function startBanner(input: BannerInput): string {
  const { gateway: g } = input;
  const per = (make: (id: string) => string) =>
    input.campaigns.map((c) => make(c.id)).join('\n                      ') || '(no campaign loaded)';
  const lines = [
    '',
    'khiw is running.',
    ...input.campaigns.map((c) => `  campaign ${c.id}: ${openingNote(c.opensAt, input.now)}`),
    ...(input.demo
      ? [
          `  (live demo: loaded ${input.demo.file}, slot days ${input.demo.firstDay} to ${input.demo.lastDay};`,
          '   --opens-in MINUTES sets the delay, --as-is loads the file with its own dates)',
        ]
      : []),
    '',
    'Residents',
    `  home page           ${g}/`,
    `  queue page          ${per((id) => `${g}/queue/?campaign=${id}`)}`,
    '  booking form        (handed over from the queue page once admitted: /book/?campaign=<id>)',
    `  look-up / cancel    ${per((id) => `${g}/lookup/?campaign=${id}`)}`,
    'Ops',
    `  console             ${g}/ops/   (sign in with the ops token below)`,
    input.opsToken
      ? `  ops token           ${input.opsToken.token}\n                      (role ops, operator "${input.opsToken.subject}", valid ${input.opsToken.ttl}; another: pnpm -s token:mint --role ops --sub NAME)`
      : '  ops token           (could not mint one, see above; try: pnpm -s token:mint --role ops)',
    `  job queues          ${g}/ops/queues   (bull-board, behind the ops token)`,
    ...(input.prometheus ? [`  Prometheus          ${input.prometheus}`] : []),
    `  site staff          ${g}/staff/  (token: pnpm -s token:mint --role staff --site SKH)`,
    `  campaign info       ${per((id) => `${g}/api/campaigns/${id}`)}`,
    `  health / metrics    ${input.services.map((s) => `${s.url}/readyz`).join('  ')}`,
    `                      ${input.services.map((s) => `${s.url}/metrics`).join('  ')}`,
    '  SMS gateway         http://127.0.0.1:13013/cgi-bin/sendsms (Kannel → fakesmsc)',
    `Logs: ${input.logDir}/{${input.services.map((s) => s.name).join(',')},kafka,bearerbox,smsbox,fakesmsc}.log`,
    'Press Ctrl-C to stop.',
  ];
  return lines.join('\n');
}
