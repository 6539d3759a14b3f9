import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { INTERNAL_TOKEN_HEADER } from '@khiw/contracts';

export interface RosterProblem {
  code: 'INVALID_INPUT' | 'NOT_FOUND' | 'ALREADY_CANCELLED' | 'UNAUTHORIZED';
  message: { th: string; en: string };
  fields?: Record<string, { th: string; en: string }>;
}

const MESSAGES: Record<RosterProblem['code'], { th: string; en: string }> = {
  INVALID_INPUT: { th: 'ข้อมูลไม่ถูกต้อง', en: 'Invalid input' },
  NOT_FOUND: {
    th: 'ไม่พบข้อมูลที่ตรงกับเลขบัตรประชาชนและวันเกิดนี้',
    en: 'Nothing matches this citizen ID and birth date.',
  },
  ALREADY_CANCELLED: { th: 'การจองนี้ถูกยกเลิกไปแล้ว', en: 'This booking is already cancelled.' },
  UNAUTHORIZED: { th: 'ไม่มีสิทธิ์', en: 'Not allowed' },
};
const STATUS: Record<RosterProblem['code'], number> = {
  INVALID_INPUT: 400,
  NOT_FOUND: 404,
  ALREADY_CANCELLED: 409,
  UNAUTHORIZED: 401,
};

/** The same problem body as the booking worker's internal API, so the gateway relays both alike. */
export function problem(res: Response, code: RosterProblem['code'], fields?: RosterProblem['fields']): void {
  res
    .status(STATUS[code])
    .set('Cache-Control', 'no-store')
    .json({ code, message: MESSAGES[code], ...(fields && { fields }) } satisfies RosterProblem);
}

/** When a token is configured, every /internal call must carry it (the gateway does). */
export function internalToken(token: string | undefined): RequestHandler {
  return (req, res, next) => {
    if (!token) return next();
    const given = Buffer.from(String(req.get(INTERNAL_TOKEN_HEADER) ?? ''));
    const expected = Buffer.from(token);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return next();
    problem(res, 'UNAUTHORIZED');
  };
}

export const wrap =
  (handler: (req: Request, res: Response) => Promise<void>) =>
  (req: Request, res: Response, next: NextFunction) =>
    handler(req, res).catch(next);
