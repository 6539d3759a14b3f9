import express, { type Response, type Router } from 'express';
import { z } from 'zod';
import {
  campaignId as campaignIdSchema,
  channelRefusal,
  ORGANISATION_ID,
  OrganisationCapBody,
} from '@khiw/contracts';
import { authorize, scopeOf } from '../auth/authorize';
import type { CampaignCatalog } from '../bookings/campaign-catalog';
import { fieldErrorsOf } from '../http/field-errors';
import { answerProblem, parseInput, sendProblem } from '../http/problem';
import { problemMessage } from '../http/problem-messages';
import { recordControl, type AuditRecorder } from '../ops/audit-log';
import type { QueueTokens } from '../waiting-room/tokens/queue-tokens';
import type { OrganisationCaps } from './organisation-caps';
import { parseOrganisationList } from './organisation-csv';
import type { OrganisationUploads, UploadRecord } from './organisation-uploads';
import { resultsCsv } from './results-csv';
import type { RunOrganisationUpload } from './run-organisation-upload.usecase';

export interface OrganisationRoutesDeps {
  tokens: QueueTokens;
  catalog: CampaignCatalog;
  caps: OrganisationCaps;
  uploads: OrganisationUploads;
  run: RunOrganisationUpload;
  audit: AuditRecorder;
}

/** 5,000 rows of Thai names, a few hundred bytes each at most, with room to spare. */
const MAX_LIST_BYTES = 3 * 1024 * 1024;

const UploadQuery = z.object({ campaignId: campaignIdSchema });
const UploadId = z.uuid();

/**
 * Organisation lists (issue 11): a company, temple, school or charity uploads a CSV of up to
 * 5,000 people; each row is booked through the same checks and engine as any booking
 * (RunOrganisationUpload), and the organisation follows the progress and downloads each row's
 * result. A malformed file is refused whole (422, every line listed), nothing booked. Ops set
 * each organisation's cap per campaign; an organisation reads its own uploads only.
 */
export function organisationRoutes(deps: OrganisationRoutesDeps): Router {
  const router = express.Router();
  const guard = authorize(deps.tokens);
  // The list is read as bytes whatever it is labelled (browsers send .csv as text/csv,
  // application/vnd.ms-excel or nothing): whether it is CSV is for the parser to say.
  const rawList = express.raw({ type: () => true, limit: MAX_LIST_BYTES });

  router.post(
    '/api/organisation/uploads',
    guard('POST', '/api/organisation/uploads'),
    rawList,
    async (req, res) => {
      res.set('Cache-Control', 'no-store');
      const query = parseInput(res, UploadQuery, req.query, 'operator');
      if (!query) return;
      const organisationId = scopeOf(res).operator.subject;
      const snapshot = await deps.catalog.snapshot(query.campaignId);
      if (!snapshot) return sendProblem(res, 'CAMPAIGN_NOT_FOUND');
      if (!(await deps.caps.get(query.campaignId, organisationId))) {
        return sendProblem(res, 'ORGANISATION_NOT_REGISTERED');
      }
      const closed = channelRefusal(
        snapshot.channels.find((c) => c.channel === 'organisation'),
        new Date(),
      );
      if (closed) return sendProblem(res, closed);
      const list = parseOrganisationList(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
      if (!list.ok) {
        return answerProblem(res, 422, {
          code: 'ORGANISATION_LIST_MALFORMED',
          message: problemMessage('ORGANISATION_LIST_MALFORMED'),
          lines: list.errors,
        } as Parameters<typeof answerProblem>[2]);
      }
      const { uploadId } = await deps.run.start({
        organisationId,
        campaignId: query.campaignId,
        snapshot,
        rows: list.rows,
      });
      res
        .status(202)
        .location(`/api/organisation/uploads/${uploadId}`)
        .json({ uploadId, status: 'running', total: list.rows.length });
    },
  );

  router.get(
    '/api/organisation/uploads/:uploadId',
    guard('GET', '/api/organisation/uploads/:uploadId'),
    async (req, res) => {
      const upload = await ownUpload(deps.uploads, res, String(req.params.uploadId));
      if (!upload) return;
      const refused = await deps.uploads.results(upload.uploadId, 'refused');
      res.json({
        ...upload,
        refused,
        resultsUrl: `/api/organisation/uploads/${upload.uploadId}/results.csv`,
      });
    },
  );

  router.get(
    '/api/organisation/uploads/:uploadId/results.csv',
    guard('GET', '/api/organisation/uploads/:uploadId/results.csv'),
    async (req, res) => {
      const upload = await ownUpload(deps.uploads, res, String(req.params.uploadId));
      if (!upload) return;
      const rows = await deps.uploads.results(upload.uploadId);
      res
        .type('text/csv; charset=utf-8')
        .attachment(`khiw-${upload.campaignId}-${upload.uploadId.slice(0, 8)}.csv`)
        .send(resultsCsv(rows));
    },
  );

  router.put(
    '/api/admin/campaigns/:campaignId/organisations/:organisationId',
    guard('PUT', '/api/admin/campaigns/:campaignId/organisations/:organisationId'),
    async (req, res) => {
      res.set('Cache-Control', 'no-store');
      const campaignId = String(req.params.campaignId);
      const organisationId = String(req.params.organisationId);
      const body = OrganisationCapBody.safeParse(req.body ?? {});
      const fields = body.success ? {} : fieldErrorsOf(body.error);
      if (!campaignIdSchema.safeParse(campaignId).success)
        fields.campaignId = problemMessage('INVALID_INPUT');
      if (!ORGANISATION_ID.test(organisationId)) fields.organisationId = problemMessage('INVALID_INPUT');
      if (!body.success || Object.keys(fields).length) {
        return sendProblem(res, 'INVALID_INPUT', { variant: 'operator', fields });
      }
      if (!(await deps.catalog.snapshot(campaignId))) return sendProblem(res, 'CAMPAIGN_NOT_FOUND');
      const settings = await deps.caps.set(campaignId, organisationId, body.data.name, body.data.cap);
      const auditRecorded = await recordControl(deps.audit, res, {
        action: 'organisation.cap',
        campaignId,
        detail: { organisationId, name: body.data.name, cap: body.data.cap },
      });
      res.json({ ...settings, auditRecorded });
    },
  );

  return router;
}

/** The upload when the token's organisation (and campaign) made it; else 404, nothing disclosed. */
async function ownUpload(
  uploads: OrganisationUploads,
  res: Response,
  uploadId: string,
): Promise<UploadRecord | undefined> {
  res.set('Cache-Control', 'no-store');
  const { subject, campaign } = scopeOf(res).operator;
  const upload = UploadId.safeParse(uploadId).success ? await uploads.get(uploadId) : null;
  if (!upload || upload.organisationId !== subject || upload.campaignId !== campaign) {
    sendProblem(res, 'NOT_FOUND');
    return undefined;
  }
  return upload;
}
