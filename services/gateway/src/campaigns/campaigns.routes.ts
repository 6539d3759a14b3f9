import express, { type Router } from 'express';
import { campaignId as campaignIdSchema, type CampaignState } from '@khiw/contracts';
import { campaignIndexKey, campaignKey, type Redis } from '@khiw/redis';
import { sendProblem } from '../http/problem';
import { campaignStateAt } from './campaign-state';

/** Campaign information from the snapshot the booking worker publishes in Redis. */
export function campaignRoutes(redis: Redis, namespace: string): Router {
  const router = express.Router();
  router.get('/api/campaigns', async (_req, res) => {
    const ids = (await redis.smembers(campaignIndexKey(namespace))).sort();
    res.json({ campaigns: ids });
  });
  router.get('/api/campaigns/:campaignId', async (req, res) => {
    const id = campaignIdSchema.safeParse(req.params.campaignId);
    const json = id.success ? await redis.get(campaignKey(namespace, id.data, 'info')) : null;
    if (!json) return sendProblem(res, 'NOT_FOUND');
    const snapshot = JSON.parse(json) as { state: CampaignState; opensAt: string };
    snapshot.state = campaignStateAt(snapshot, Date.now());
    res.set('Cache-Control', 'public, max-age=5').json(snapshot);
  });
  return router;
}
