import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * The provisioned Grafana dashboards: each names the provisioned data source, and every
 * query is PromQL that Prometheus accepts (promtool checks them as recording rules, with the
 * dashboard variables filled in).
 */
interface Panel {
  type: string;
  title: string;
  datasource?: { uid?: string };
  targets?: { expr: string; datasource?: { uid?: string } }[];
}

const HERE = __dirname;
const dashboards = readdirSync(path.join(HERE, 'dashboards'))
  .filter((name) => name.endsWith('.json'))
  .map((name) => ({
    name,
    json: JSON.parse(readFileSync(path.join(HERE, 'dashboards', name), 'utf8')) as {
      uid: string;
      panels: Panel[];
      templating: { list: { name: string; allValue?: string }[] };
    },
  }));
const datasourceUid = /\buid: (\S+)/.exec(
  readFileSync(path.join(HERE, 'provisioning/datasources/prometheus.yml'), 'utf8'),
)?.[1];
const work = mkdtempSync(path.join(tmpdir(), 'khiw-dashboard-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('Grafana dashboards', () => {
  it('has a dashboard, each with a uid and panels', () => {
    expect(dashboards.length).toBeGreaterThan(0);
    for (const { json } of dashboards) {
      expect(json.uid).toMatch(/^[a-z0-9-]+$/);
      expect(json.panels.filter((p) => p.type !== 'row').length).toBeGreaterThan(0);
    }
  });

  it('queries only the provisioned Prometheus data source', () => {
    const elsewhere = dashboards.flatMap(({ name, json }) =>
      json.panels
        .filter((p) => p.type !== 'row')
        .flatMap((p) => [p.datasource?.uid, ...(p.targets ?? []).map((t) => t.datasource?.uid)])
        .filter((uid) => uid !== datasourceUid)
        .map((uid) => `${name}: ${uid}`),
    );
    expect(datasourceUid).toBe('khiw-prometheus');
    expect(elsewhere).toEqual([]);
  });

  it('every query is valid PromQL (promtool check rules)', () => {
    const rules = dashboards.flatMap(({ json }) => {
      const fill = (expr: string) =>
        json.templating.list.reduce(
          (text, v) => text.replaceAll(`$${v.name}`, v.allValue ?? '.*'),
          expr.replaceAll('$__rate_interval', '1m'),
        );
      return json.panels.flatMap((p) => (p.targets ?? []).map((t) => fill(t.expr)));
    });
    expect(rules.length).toBeGreaterThan(0);
    const file = path.join(work, 'dashboard-queries.yml');
    writeFileSync(
      file,
      `groups:\n  - name: dashboard\n    rules:\n${rules
        .map((expr, i) => `      - record: dashboard:query_${i}\n        expr: ${JSON.stringify(expr)}\n`)
        .join('')}`,
    );
    const result = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8', timeout: 60_000 });
    if (result.error)
      throw new Error(`promtool did not run: ${result.error.message} (Debian package prometheus)`);
    expect(`exit ${result.status}\n${result.stdout}${result.stderr}`).toMatch(/^exit 0\n/);
  });
});
