import express, { type Router } from 'express';
import { OpsAuditEntryInput, OpsAuditQuery } from '@khiw/contracts';
import {
  internalErrorHandler,
  parseOrAnswer,
  requireInternalToken,
  sendProblem,
  storableInPostgres,
} from '@khiw/internal-api';
import type { Logger } from '@khiw/observability';
import type { ListAuditEntries } from './list-audit-entries.usecase';
import type { RecordAuditEntry } from './record-audit-entry.usecase';

export interface OpsAuditRoutesDeps {
  recordAuditEntry: RecordAuditEntry;
  listAuditEntries: ListAuditEntries;
  logger: Logger;
  /** When set, every call must carry it in INTERNAL_TOKEN_HEADER. */
  token?: string;
}

/** The ops audit log for the gateway (`/internal/ops/audit`): append one entry, list a campaign's. */
export function opsAuditRoutes(deps: OpsAuditRoutesDeps): Router {
  const router = express.Router();
  const path = '/internal/ops/audit';
  router.use(path, requireInternalToken(deps.token), express.json({ limit: '64kb' }));

  router.post(path, async (req, res) => {
    const entry = parseOrAnswer(res, OpsAuditEntryInput, req.body);
    if (!entry) return;
    // A NUL or a lone surrogate in the operator or the detail would fail the insert (a 500).
    if (!storableInPostgres(entry)) return sendProblem(res, 'INVALID_INPUT', { '(body)': 'unstorable text' });
    res.status(201).json(await deps.recordAuditEntry.execute(entry));
  });

  router.get(path, async (req, res) => {
    const query = parseOrAnswer(res, OpsAuditQuery, req.query);
    if (query) res.set('Cache-Control', 'no-store').json(await deps.listAuditEntries.execute(query));
  });

  router.use(path, internalErrorHandler(deps.logger));
  return router;
}
