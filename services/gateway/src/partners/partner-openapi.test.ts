import { readFileSync } from 'node:fs';
import path from 'node:path';
import { compileErrors, validate } from '@readme/openapi-parser';
import { ROUTE_POLICIES } from '../auth/route-policy';

const FILE = path.resolve(__dirname, '../../public/openapi/partner.json');
const spec = JSON.parse(readFileSync(FILE, 'utf8')) as {
  openapi: string;
  paths: Record<string, Record<string, { security?: unknown[] }>>;
};

/** `/api/partner/campaigns/:campaignId/queue` as OpenAPI writes it. */
const openapiPath = (express: string) => express.replace(/:(\w+)/g, '{$1}');

describe('the partner OpenAPI document (public/openapi/partner.json)', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(spec.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(spec) as never);
    expect(result.valid ? [] : compileErrors(result)).toEqual([]);
  });

  it('describes exactly the partner routes of the gateway, with their methods', () => {
    const routes = ROUTE_POLICIES.filter((p) => p.path.startsWith('/api/partner/'))
      .map((p) => `${p.method} ${openapiPath(p.path)}`)
      .sort();
    const described = Object.entries(spec.paths)
      .flatMap(([route, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${route}`))
      .sort();
    expect(described).toEqual(routes);
  });

  it('asks a partner token on exactly the partner-only routes', () => {
    for (const policy of ROUTE_POLICIES.filter((p) => p.path.startsWith('/api/partner/'))) {
      const operation = spec.paths[openapiPath(policy.path)]![policy.method.toLowerCase()]!;
      // No `security` of its own: the document's default (the partner token).
      expect({ route: policy.path, open: operation.security?.length === 0 }).toEqual({
        route: policy.path,
        open: policy.access.kind === 'public',
      });
    }
  });
});
