import type { Express } from 'express';
import { policyKey, ROUTE_POLICIES, type RoutePolicy } from './route-policy';

/** One thing a request can reach: a route (its method) or a prefix mounted as a whole (USE). */
export interface MountedRoute {
  method: string;
  path: string;
}

// The shape of express 5's (router 2's) stack, read-only: a layer holds a route, a nested
// router (its own stack) or a middleware, mounted at `rawPath` (`slash` when at the root).
interface Layer {
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  rawPath?: unknown;
  slash?: boolean;
}

/** Every route and path-mounted middleware of `app`, nested routers flattened. */
export function routeInventory(app: Express): MountedRoute[] {
  const stack = (app as unknown as { router: { stack: Layer[] } }).router.stack;
  const found = new Map<string, MountedRoute>();
  const add = (method: string, path: string) => found.set(policyKey(method, path), { method, path });
  const walk = (layers: Layer[], prefix: string) => {
    for (const layer of layers) {
      const at = layer.slash ? '' : String(layer.rawPath ?? '');
      if (layer.route) {
        const path = `${prefix}${String(layer.route.path)}`;
        for (const method of Object.keys(layer.route.methods)) {
          add(method === '_all' ? 'ALL' : method.toUpperCase(), path);
        }
      } else if (Array.isArray(layer.handle?.stack)) {
        walk(layer.handle.stack, `${prefix}${at}`);
      } else if (at) {
        add('USE', `${prefix}${at}`);
      }
    }
  };
  walk(stack, '');
  return [...found.values()];
}

export interface PolicyGaps {
  /** Mounted, but nobody said who may call it. */
  unguarded: MountedRoute[];
  /** In the table, but not mounted (a renamed route whose entry stayed behind). */
  stale: RoutePolicy[];
}

export function policyGaps(app: Express, policies: readonly RoutePolicy[] = ROUTE_POLICIES): PolicyGaps {
  const mounted = routeInventory(app);
  const keys = new Set(policies.map((p) => policyKey(p.method, p.path)));
  const mountedKeys = new Set(mounted.map((r) => policyKey(r.method, r.path)));
  return {
    unguarded: mounted.filter((r) => !keys.has(policyKey(r.method, r.path))),
    stale: policies.filter((p) => !p.optional && !mountedKeys.has(policyKey(p.method, p.path))),
  };
}

/**
 * Called by main.ts once every router is mounted: a route nobody wrote a policy for stops the
 * gateway at start-up (so every test run fails), as does a policy whose route is gone.
 */
export function assertRoutePolicies(app: Express): void {
  const { unguarded, stale } = policyGaps(app);
  if (unguarded.length === 0 && stale.length === 0) return;
  const lines = [
    ...unguarded.map((r) => `  no policy: ${policyKey(r.method, r.path)}`),
    ...stale.map((p) => `  no route: ${policyKey(p.method, p.path)}`),
  ];
  throw new Error(
    `route policies and mounted routes differ (src/auth/route-policy.ts):\n${lines.join('\n')}`,
  );
}
