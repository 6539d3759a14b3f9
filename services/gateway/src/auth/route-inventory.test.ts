import express from 'express';
import { assertRoutePolicies, policyGaps, routeInventory } from './route-inventory';
import type { RoutePolicy } from './route-policy';

const ok: express.RequestHandler = (_req, res) => void res.end();

function app(extra?: (router: express.Router) => void) {
  const app = express();
  app.use(express.json());
  const router = express.Router();
  router.get('/api/things/:id', ok);
  router.post('/api/things', ok);
  extra?.(router);
  app.use(router);
  const nested = express.Router();
  nested.use('/board', ok);
  app.use(nested);
  app.use('/api', ok);
  app.use(express.static('/nowhere'));
  return app;
}

const policies: RoutePolicy[] = [
  { method: 'GET', path: '/api/things/:id', access: { kind: 'public' } },
  { method: 'POST', path: '/api/things', access: { kind: 'public' } },
  { method: 'USE', path: '/board', access: { kind: 'public' } },
  { method: 'USE', path: '/api', access: { kind: 'public' } },
];

describe('route inventory', () => {
  it('lists every route and path-mounted middleware, nested routers flattened, global middleware left out', () => {
    expect(routeInventory(app())).toEqual([
      { method: 'GET', path: '/api/things/:id' },
      { method: 'POST', path: '/api/things' },
      { method: 'USE', path: '/board' },
      { method: 'USE', path: '/api' },
    ]);
  });

  it('finds a route added without a policy, and a policy whose route is gone', () => {
    const added = app((router) => router.delete('/api/things/:id', ok));
    expect(policyGaps(added, policies)).toEqual({
      unguarded: [{ method: 'DELETE', path: '/api/things/:id' }],
      stale: [],
    });
    const gone: RoutePolicy = { method: 'PATCH', path: '/api/gone', access: { kind: 'public' } };
    const optional: RoutePolicy = {
      method: 'GET',
      path: '/metrics',
      access: { kind: 'public' },
      optional: true,
    };
    expect(policyGaps(app(), [...policies, gone, optional])).toEqual({ unguarded: [], stale: [gone] });
  });

  it("refuses to let the gateway start with a route that is not in the gateway's table", () => {
    expect(() => assertRoutePolicies(app())).toThrow(/no policy: GET \/api\/things\/:id/);
  });
});
