import express, { type Router } from 'express';
import type { Keyring } from './tokens/keyring';

/** The public keys that verify khiw tokens, for downstream services and CDNs. */
export function jwksRoutes(keyring: Keyring): Router {
  const router = express.Router();
  const body = keyring.jwks();
  router.get('/.well-known/jwks.json', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(body);
  });
  return router;
}
