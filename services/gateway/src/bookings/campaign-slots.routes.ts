import express, { type Router } from 'express';
import { campaignId as campaignIdSchema } from '@khiw/contracts';
import { sendProblem } from '../http/problem';
import type { CampaignCatalog } from './campaign-catalog';

const SITE_ID = /^[A-Za-z0-9_-]{1,40}$/;

/**
 * `GET /api/campaigns/:campaignId/sites/:siteId/slots`: one site's slots with what is left,
 * as the booking worker published them. Cached briefly, like the campaign snapshot: the
 * figure is a guide for the form, the worker decides.
 */
export function campaignSlotsRoutes(catalog: CampaignCatalog): Router {
  const router = express.Router();
  router.get('/api/campaigns/:campaignId/sites/:siteId/slots', async (req, res) => {
    const campaignId = campaignIdSchema.safeParse(req.params.campaignId);
    const siteId = String(req.params.siteId);
    const json =
      campaignId.success && SITE_ID.test(siteId)
        ? await catalog.siteSlotsJson(campaignId.data, siteId)
        : null;
    if (!json) return sendProblem(res, 'NOT_FOUND');
    res.set('Cache-Control', 'public, max-age=5').type('application/json').send(json);
  });
  return router;
}
