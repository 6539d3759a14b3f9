import express, { type Router } from 'express';
import { KhiwError } from '@khiw/errors';
import { internalErrorHandler, requireInternalToken, sendAnswer, sendProblem } from '@khiw/internal-api';
import type { Logger } from '@khiw/observability';
import { IMPORT_MODES, type ImportMode, type ImportRegistry } from './import-registry.usecase';

export interface RegistryRoutesDeps {
  importRegistry: ImportRegistry;
  logger: Logger;
  /** When set, calls must carry it in INTERNAL_TOKEN_HEADER (as the other /internal routes). */
  token?: string;
}

const SOURCE = /^[\w.-]{1,100}$/;
const LIST = /^[a-z0-9-]{1,60}$/;

/**
 * `POST /internal/registry/vaccinated?source=<name>&mode=skip-bad|all-or-nothing`, body
 * text/csv, streamed (and `POST /internal/registry/lists/:list`, the same for an eligibility
 * list a campaign's `orOnList` names: Bangkok's people who work there): the gateway's ops route pipes the upload here unbuffered. Mount it
 * before any body parser that would read text/csv (express.json leaves it alone).
 * 200 with the report when committed; 422 with the report when all-or-nothing refused it;
 * 400 INVALID_INPUT for a bad query; 400 IMPORT_ABORTED when the upload broke off (nothing
 * is committed).
 */
export function registryRoutes(deps: RegistryRoutesDeps): Router {
  const router = express.Router();
  const path = '/internal/registry/vaccinated';
  const lists = '/internal/registry/lists/:list';
  const importRoute =
    (list: (req: express.Request) => string | undefined) =>
    async (req: express.Request, res: express.Response) => {
      const source =
        typeof req.query.source === 'string'
          ? req.query.source
          : `import-${new Date().toISOString().slice(0, 19)}`;
      const mode = (typeof req.query.mode === 'string' ? req.query.mode : 'skip-bad') as ImportMode;
      // The default source has colons (a time of day): they are allowed.
      const sourceOk = SOURCE.test(source.replace(/:/g, '-'));
      const modeOk = IMPORT_MODES.includes(mode);
      const listName = list(req);
      const listOk = listName === undefined || LIST.test(listName);
      if (!sourceOk || !modeOk || !listOk) {
        return sendProblem(res, 'INVALID_INPUT', {
          ...(!sourceOk && { source: 'letters, digits, . _ - (max 100)' }),
          ...(!modeOk && { mode: IMPORT_MODES.join(' or ') }),
          ...(!listOk && { list: 'a-z, 0-9, - (max 60)' }),
        });
      }
      const started = Date.now();
      let report;
      try {
        report = await deps.importRegistry.execute({
          body: req,
          source,
          mode,
          ...(listName !== undefined && { list: listName }),
          arrivedWhole: () => req.complete,
        });
      } catch (error) {
        if (!KhiwError.is(error, 'IMPORT_ABORTED') && req.complete) throw error;
        deps.logger.warn({ source, ms: Date.now() - started }, 'registry import broke off: nothing imported');
        if (!res.headersSent && !res.destroyed) sendProblem(res, 'IMPORT_ABORTED');
        return;
      }
      deps.logger.info(
        {
          source,
          mode,
          rows: report.rows,
          inserted: report.inserted,
          bad: report.bad,
          committed: report.committed,
          ms: Date.now() - started,
        },
        listName === undefined ? 'registry import' : `eligibility list import: ${listName}`,
      );
      sendAnswer(res, { status: report.committed ? 200 : 422, body: report });
    };
  router.post(
    path,
    requireInternalToken(deps.token),
    importRoute(() => undefined),
  );
  router.post(
    lists,
    requireInternalToken(deps.token),
    importRoute((req) => String(req.params.list)),
  );
  router.use(lists, internalErrorHandler(deps.logger));
  router.use(path, internalErrorHandler(deps.logger));
  return router;
}
