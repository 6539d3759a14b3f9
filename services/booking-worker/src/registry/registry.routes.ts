import { timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { INTERNAL_TOKEN_HEADER } from '@khiw/contracts';
import type { Logger } from '@khiw/observability';
import { IMPORT_MODES, ImportAborted, type ImportMode, type ImportRegistry } from './import-registry.usecase';

export interface RegistryRoutesDeps {
  importRegistry: ImportRegistry;
  logger: Logger;
  /** When set, calls must carry it in INTERNAL_TOKEN_HEADER (as the other /internal routes). */
  token?: string;
}

const SOURCE = /^[\w.-]{1,100}$/;

/**
 * `POST /internal/registry/vaccinated?source=<name>&mode=skip-bad|all-or-nothing`, body
 * text/csv, streamed: the gateway's ops route pipes the upload here unbuffered. Mount it
 * before any body parser that would read text/csv (express.json leaves it alone).
 * 200 with the report when committed; 422 with the report when all-or-nothing refused it;
 * 400 for a bad query; a broken-off upload commits nothing.
 */
export function registryRoutes(deps: RegistryRoutesDeps): Router {
  const router = express.Router();
  router.post('/internal/registry/vaccinated', (req: Request, res: Response, next: NextFunction) => {
    if (deps.token) {
      const given = Buffer.from(String(req.get(INTERNAL_TOKEN_HEADER) ?? ''));
      const expected = Buffer.from(deps.token);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return void res
          .status(401)
          .json({ code: 'UNAUTHORIZED', message: { th: 'ไม่มีสิทธิ์', en: 'Not allowed' } });
      }
    }
    const source =
      typeof req.query.source === 'string'
        ? req.query.source
        : `import-${new Date().toISOString().slice(0, 19)}`;
    const mode = (typeof req.query.mode === 'string' ? req.query.mode : 'skip-bad') as ImportMode;
    if (!SOURCE.test(source.replace(/:/g, '-')) || !IMPORT_MODES.includes(mode)) {
      return void res.status(400).json({
        code: 'INVALID_INPUT',
        message: { th: 'ข้อมูลไม่ถูกต้อง', en: 'Invalid input' },
        fields: {
          ...(!SOURCE.test(source.replace(/:/g, '-')) && {
            source: { th: 'ชื่อแหล่งข้อมูลไม่ถูกต้อง', en: 'letters, digits, . _ - (max 100)' },
          }),
          ...(!IMPORT_MODES.includes(mode) && { mode: { th: 'โหมดไม่ถูกต้อง', en: IMPORT_MODES.join(' or ') } }),
        },
      });
    }
    const started = Date.now();
    deps.importRegistry
      .execute(req, { source, mode, arrivedWhole: () => req.complete })
      .then((report) => {
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
          'registry import',
        );
        res
          .status(report.committed ? 200 : 422)
          .set('Cache-Control', 'no-store')
          .json(report);
      })
      .catch((error: unknown) => {
        if (error instanceof ImportAborted || !req.complete) {
          deps.logger.warn(
            { source, ms: Date.now() - started },
            'registry import broke off: nothing imported',
          );
          if (!res.headersSent && !res.destroyed)
            res.status(400).json({
              code: 'IMPORT_ABORTED',
              message: {
                th: 'การอัปโหลดไม่สมบูรณ์ ไม่มีข้อมูลถูกนำเข้า',
                en: error instanceof Error ? error.message : 'aborted',
              },
            });
          return;
        }
        next(error);
      });
  });
  return router;
}
