import path from 'node:path';
import { parseArgs } from 'node:util';

export const START_USAGE = `usage: ./khiw start [--campaign FILE | FILE] [--opens-in MINUTES] [--as-is] [--with-prometheus]

  --campaign FILE     the campaign to load (default: campaigns/samut-sakhon-2021.json)
  --opens-in MINUTES  live demo: the campaign opens this many minutes after the start, on a
                      whole minute (default 3; 0 opens it at once). Its slot days start the
                      day after the opening. The file itself is never changed: a moved copy
                      is written to .local/demo/ and loaded, and the campaign's waiting room
                      starts empty.
  --as-is             load the file with its own dates and keep the waiting room as it is
  --with-prometheus   also run Prometheus (infra.sh prometheus-up) on http://127.0.0.1:9090`;

export interface StartOptions {
  campaignFile: string;
  /** null with --as-is: load the file unchanged. */
  opensInMinutes: number | null;
  withPrometheus: boolean;
}

export const DEFAULT_OPENS_IN_MINUTES = 3;

/**
 * `./khiw start` arguments; throws a one-line reason for a wrong one, 'help' for -h. A
 * relative file is the caller's: `./khiw` runs from the repository root, so it hands over
 * the directory it was called from.
 */
export function parseStartOptions(
  args: string[],
  { repoRoot, callerDir }: { repoRoot: string; callerDir: string },
): StartOptions | 'help' {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      campaign: { type: 'string' },
      'opens-in': { type: 'string' },
      'as-is': { type: 'boolean', default: false },
      'with-prometheus': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  if (positionals.length > 1) throw new Error(`one campaign file at most, got ${positionals.join(' ')}`);
  if (values.campaign && positionals.length > 0) {
    throw new Error(`give the campaign file once: --campaign ${values.campaign} or ${positionals[0]}`);
  }
  if (values['as-is'] && values['opens-in'] !== undefined) {
    throw new Error("--as-is keeps the file's own opening; leave out --opens-in");
  }
  let opensInMinutes: number | null = DEFAULT_OPENS_IN_MINUTES;
  if (values['as-is']) opensInMinutes = null;
  else if (values['opens-in'] !== undefined) {
    opensInMinutes = Number(values['opens-in']);
    if (!/^\d+(\.\d+)?$/.test(values['opens-in']) || opensInMinutes > 7 * 24 * 60) {
      throw new Error(`--opens-in takes minutes from 0 to 10080, got '${values['opens-in']}'`);
    }
  }
  const file = values.campaign ?? positionals[0];
  return {
    campaignFile: file
      ? path.resolve(callerDir, file)
      : path.join(repoRoot, 'campaigns/samut-sakhon-2021.json'),
    opensInMinutes,
    withPrometheus: values['with-prometheus'],
  };
}
