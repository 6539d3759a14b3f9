import type { RequestHandler } from 'express';
import cors from 'cors';
import helmet from 'helmet';
import { OPS_QUEUES_PATH } from '../ops/ops-queues';

/**
 * The pages load nothing but their own files: no inline script, no inline style, no other
 * origin, never framed (clickjacking a booking form). `data:` images: the pages' empty
 * favicon. The queue page's proof of work runs in a module worker of the same origin.
 */
const PAGES: Record<string, string[]> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'worker-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/**
 * bull-board's own page (ops only, behind the ops token) sets `style=` attributes and a
 * `<style>` block in its HTML and a `<base>`: inline styles and a same-origin base are
 * allowed there and nowhere else. Scripts stay same-origin only; its Google Fonts
 * stylesheet stays blocked (system fonts, no third-party request from the ops browser).
 */
const OPS_QUEUES: Record<string, string[]> = {
  ...PAGES,
  'style-src': ["'self'", "'unsafe-inline'"],
  'base-uri': ["'self'"],
};

const headersWith = (directives: Record<string, string[]>) =>
  helmet({
    // upgrade-insecure-requests is the ingress's decision (TLS ends there), not the app's.
    contentSecurityPolicy: { useDefaults: false, directives },
    // Tokens never travel in URLs, and the pages' URLs name a campaign: tell nobody.
    referrerPolicy: { policy: 'no-referrer' },
    // frame-ancestors 'none' for browsers too old for CSP level 2.
    xFrameOptions: { action: 'deny' },
  });

/** helmet's headers (CSP, nosniff, Referrer-Policy, frame-ancestors...) on every answer. */
export function securityHeaders(): RequestHandler {
  const pages = headersWith(PAGES);
  const opsQueues = headersWith(OPS_QUEUES);
  return (req, res, next) => {
    const board = req.path === OPS_QUEUES_PATH || req.path.startsWith(`${OPS_QUEUES_PATH}/`);
    (board ? opsQueues : pages)(req, res, next);
  };
}

/**
 * CORS for the API: closed unless a partner origin is listed (CORS_ALLOWED_ORIGINS). A listed
 * origin gets Access-Control-Allow-Origin with its own value, never `*`, and no credentials
 * (the API takes bearer tokens; the ops session cookie stays same-origin). Preflights are
 * answered here (204) for any origin; an unlisted one gets no Allow-Origin and the browser
 * refuses.
 */
export function apiCors(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins);
  return cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    methods: ['GET', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type'],
    exposedHeaders: ['Retry-After'],
    maxAge: 600,
  });
}
