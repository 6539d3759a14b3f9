import express, { type Router } from 'express';
import { campaignId as campaignIdSchema } from '@khiw/contracts';
import { campaignIndexKey, campaignKey, type Redis } from '@khiw/redis';
import { sendProblem } from '../http/problem';

/** Campaign information from the snapshot the booking worker publishes in Redis. */
export function campaignRoutes(redis: Redis, namespace: string): Router {
  const router = express.Router();
  router.get('/api/campaigns', async (_req, res) => {
    const ids = (await redis.smembers(campaignIndexKey(namespace))).sort();
    res.json({ campaigns: ids });
  });
  router.get('/api/campaigns/:campaignId', async (req, res) => {
    const id = campaignIdSchema.safeParse(req.params.campaignId);
    const snapshot = id.success ? await redis.get(campaignKey(namespace, id.data, 'info')) : null;
    if (!snapshot) return sendProblem(res, 'NOT_FOUND');
    res.set('Cache-Control', 'public, max-age=5').type('application/json').send(snapshot);
  });
  return router;
}
