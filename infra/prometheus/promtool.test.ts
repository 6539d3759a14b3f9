import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The alerting rules, checked by Debian's promtool (package `prometheus`, installed by
 * infra/local/bootstrap.sh): the rule files and both Prometheus configs are valid, every
 * promtool unit test passes, and every alert has a case where it fires and one where it
 * stays silent. A failure shows promtool's own output.
 */
const HERE = __dirname;
const inDir = (dir: string, suffix: string) =>
  readdirSync(path.join(HERE, dir))
    .filter((name) => name.endsWith(suffix))
    .sort()
    .map((name) => path.join(dir, name));
const ruleFiles = inDir('rules', '.yml');
const testFiles = inDir('tests', '.test.yml');

/** `exit <code>` and promtool's output: an expectation on it prints the output when it fails. */
function promtool(...args: string[]): string {
  const result = spawnSync('promtool', args, { cwd: HERE, encoding: 'utf8', timeout: 60_000 });
  if (result.error) {
    throw new Error(
      `promtool did not run (${result.error.message}); it comes with Debian's prometheus package: ` +
        'bash infra/local/bootstrap.sh apt prometheus',
    );
  }
  return `exit ${result.status}\n${result.stdout}${result.stderr}`;
}

describe('Prometheus alerting rules', () => {
  it('has rule files and promtool tests to check', () => {
    expect(ruleFiles.length).toBeGreaterThan(0);
    expect(testFiles.length).toBeGreaterThan(0);
  });

  it('promtool check rules: every rule file is valid', () => {
    expect(promtool('check', 'rules', ...ruleFiles)).toMatch(/^exit 0\n/);
  });

  it('promtool check config: the local and the Compose configuration are valid', () => {
    expect(promtool('check', 'config', 'prometheus.yml')).toMatch(/^exit 0\n/);
    expect(promtool('check', 'config', 'prometheus.compose.yml')).toMatch(/^exit 0\n/);
  });

  it('promtool test rules: every unit test passes', () => {
    expect(promtool('test', 'rules', ...testFiles)).toMatch(/^exit 0\n/);
  });

  it('tests every alert both firing and silent', () => {
    const alerts = ruleFiles.flatMap((file) =>
      [...readFileSync(path.join(HERE, file), 'utf8').matchAll(/^\s*- alert: (\S+)/gm)].map((m) => m[1]!),
    );
    const cases = testFiles.flatMap((file) =>
      [
        ...readFileSync(path.join(HERE, file), 'utf8').matchAll(/alertname: (\S+)\s*\n\s*exp_alerts:(.*)/g),
      ].map((m) => ({ alert: m[1]!, silent: m[2]!.trim() === '[]' })),
    );
    const coverage = alerts.map((alert) => ({
      alert,
      fires: cases.some((c) => c.alert === alert && !c.silent),
      silent: cases.some((c) => c.alert === alert && c.silent),
    }));
    expect(coverage).toEqual(alerts.map((alert) => ({ alert, fires: true, silent: true })));
    // A test naming an alert that no rule defines would pass vacuously.
    expect(cases.filter((c) => !alerts.includes(c.alert))).toEqual([]);
  });

  it('links every alert to a section of the runbook that exists', () => {
    const runbook = readFileSync(path.join(HERE, '../../docs/operations.md'), 'utf8');
    // GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens.
    const anchors = [...runbook.matchAll(/^#+ (.+)$/gm)].map((m) =>
      m[1]!
        .toLowerCase()
        .replace(/[^a-z0-9 -]/g, '')
        .replace(/ /g, '-'),
    );
    const links = ruleFiles.flatMap((file) =>
      [
        ...readFileSync(path.join(HERE, file), 'utf8').matchAll(/runbook_url: docs\/operations\.md#(\S+)/g),
      ].map((m) => m[1]!),
    );
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((anchor) => !anchors.includes(anchor))).toEqual([]);
  });
});
