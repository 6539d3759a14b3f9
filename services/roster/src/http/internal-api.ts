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

/** An answer to send as JSON with `Cache-Control: no-store` (express route or fast path alike). */
export interface InternalAnswer {
  status: number;
  body: unknown;
}

/** The same problem body as the booking worker's internal API, so the gateway relays both alike. */
export function problemAnswer(code: RosterProblem['code'], fields?: RosterProblem['fields']): InternalAnswer {
  return {
    status: STATUS[code],
    body: { code, message: MESSAGES[code], ...(fields && { fields }) } satisfies RosterProblem,
  };
}

export function problem(res: Response, code: RosterProblem['code'], fields?: RosterProblem['fields']): void {
  send(res, problemAnswer(code, fields));
}

export function send(res: Response, answer: InternalAnswer): void {
  res.status(answer.status).set('Cache-Control', 'no-store').json(answer.body);
}

/** True when no token is configured or `given` is it (compared in constant time). */
export function tokenAccepted(token: string | undefined, given: string | string[] | undefined): boolean {
  if (!token) return true;
  const presented = Buffer.from(String(given ?? ''));
  const expected = Buffer.from(token);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

/** When a token is configured, every /internal call must carry it (the gateway does). */
export function internalToken(token: string | undefined): RequestHandler {
  return (req, res, next) => {
    if (tokenAccepted(token, req.get(INTERNAL_TOKEN_HEADER))) return next();
    problem(res, 'UNAUTHORIZED');
  };
}

export const wrap =
  (handler: (req: Request, res: Response) => Promise<void>) =>
  (req: Request, res: Response, next: NextFunction) =>
    handler(req, res).catch(next);
