import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from '@khiw/observability';

/** Residents read these: every error carries a stable code and a message in Thai and English. */
export interface Problem {
  code: string;
  message: { th: string; en: string };
  fields?: Record<string, { th: string; en: string }>;
}

export function sendProblem(res: Response, status: number, problem: Problem): void {
  res.status(status).json({ error: problem });
}

export const PROBLEMS = {
  notFound: { code: 'NOT_FOUND', message: { th: 'ไม่พบข้อมูลที่ต้องการ', en: 'Not found' } },
  unavailable: {
    code: 'TEMPORARILY_UNAVAILABLE',
    message: {
      th: 'ระบบไม่พร้อมให้บริการชั่วคราว กรุณาลองใหม่อีกครั้ง',
      en: 'Temporarily unavailable, please try again',
    },
  },
  badJson: {
    code: 'MALFORMED_JSON',
    message: { th: 'ข้อมูลที่ส่งมาไม่ถูกต้อง', en: 'The request body is not valid JSON' },
    fields: {
      '(body)': { th: 'ข้อมูลที่ส่งมาไม่ใช่ JSON ที่ถูกต้อง', en: 'The request body is not valid JSON' },
    },
  },
  tooLarge: {
    code: 'BODY_TOO_LARGE',
    message: { th: 'ข้อมูลที่ส่งมามีขนาดใหญ่เกินไป', en: 'The request body is too large' },
    fields: {
      '(body)': { th: 'ข้อมูลที่ส่งมามีขนาดใหญ่เกินไป', en: 'The request body is too large' },
    },
  },
  bookingServiceUnavailable: {
    code: 'BOOKING_SERVICE_UNAVAILABLE',
    message: {
      th: 'ระบบจองไม่พร้อมให้บริการชั่วคราว กรุณาลองใหม่ในอีกสักครู่',
      en: 'The booking service is temporarily unavailable; please try again in a moment',
    },
  },
  rateLimited: {
    code: 'RATE_LIMITED',
    message: {
      th: 'มีการทำรายการมากเกินไป กรุณารอสักครู่แล้วลองใหม่',
      en: 'Too many attempts; please wait a moment and try again',
    },
  },
  internal: {
    code: 'INTERNAL',
    message: { th: 'เกิดข้อผิดพลาด กรุณาลองใหม่อีกครั้ง', en: 'Something went wrong, please try again' },
  },
} as const satisfies Record<string, Problem>;

/** Last express handler: body-parser errors become 400/413, anything else a logged 500 (or 503 when Redis is down). */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const type = (err as { type?: string }).type;
    if (type === 'entity.parse.failed') return sendProblem(res, 400, PROBLEMS.badJson);
    if (type === 'entity.too.large') return sendProblem(res, 413, PROBLEMS.tooLarge);
    const message = err instanceof Error ? err.message : String(err);
    if (/Connection is closed|ECONNREFUSED|max retries|Stream isn't writeable/i.test(message)) {
      res.setHeader('Retry-After', '5');
      return sendProblem(res, 503, PROBLEMS.unavailable);
    }
    logger.error({ err }, 'unhandled request error');
    return sendProblem(res, 500, PROBLEMS.internal);
  };
}
