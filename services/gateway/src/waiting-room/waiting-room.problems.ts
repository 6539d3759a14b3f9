import type { ErrorRequestHandler, Request } from 'express';
import type { Problem } from '../http/problem';
import { sendProblem } from '../http/problem';
import { WaitingRoomError, type WaitingRoomErrorCode } from './waiting-room-error';
import type { WaitingRoomMetrics } from './waiting-room-metrics';

/** What a resident (or an operator) reads for each refusal, in Thai and English. */
const PROBLEMS: Record<WaitingRoomErrorCode, { status: number; message: Problem['message'] }> = {
  TOKEN_MISSING: {
    status: 401,
    message: { th: 'ไม่พบบัตรคิว กรุณาเข้าคิวใหม่', en: 'No queue ticket was sent; please join the queue' },
  },
  TOKEN_INVALID: {
    status: 401,
    message: {
      th: 'บัตรคิวไม่ถูกต้องหรือถูกแก้ไข กรุณาเข้าคิวใหม่',
      en: 'The token is not valid (bad signature or format); please join the queue again',
    },
  },
  TOKEN_EXPIRED: {
    status: 401,
    message: { th: 'บัตรคิวหมดอายุแล้ว กรุณาเข้าคิวใหม่', en: 'The token has expired; please join the queue again' },
  },
  TOKEN_WRONG_AUDIENCE: {
    status: 403,
    message: {
      th: 'บัตรคิวนี้เป็นของแคมเปญอื่น ใช้กับแคมเปญนี้ไม่ได้',
      en: 'This token belongs to another campaign and cannot be used here',
    },
  },
  TOKEN_WRONG_TYPE: {
    status: 403,
    message: { th: 'ใช้บัตรผิดประเภท', en: 'This kind of token cannot be used here' },
  },
  TICKET_UNKNOWN: {
    status: 403,
    message: {
      th: 'ไม่พบคิวของบัตรนี้ กรุณาเข้าคิวใหม่',
      en: 'This ticket has no place in the queue; please join again',
    },
  },
  TICKET_TAMPERED: {
    status: 403,
    message: {
      th: 'หมายเลขคิวในบัตรไม่ตรงกับที่ระบบบันทึกไว้',
      en: 'The queue number in this ticket does not match our record',
    },
  },
  ROLE_FORBIDDEN: {
    status: 403,
    message: { th: 'คุณไม่มีสิทธิ์ทำรายการนี้', en: 'Your role does not allow this' },
  },
  CHALLENGE_INVALID: {
    status: 400,
    message: {
      th: 'รหัสยืนยันหมดอายุหรือถูกใช้แล้ว กรุณาลองใหม่',
      en: 'The challenge is missing, used or expired; get a new one and try again',
    },
  },
  PROOF_OF_WORK_INVALID: {
    status: 400,
    message: { th: 'การยืนยันไม่ถูกต้อง กรุณาลองใหม่', en: 'The proof of work is wrong; please try again' },
  },
  CAMPAIGN_NOT_FOUND: {
    status: 404,
    message: { th: 'ไม่พบแคมเปญนี้', en: 'No such campaign' },
  },
  QUEUE_FINAL: {
    status: 409,
    message: { th: 'คิวปิดแล้ว', en: 'The queue is closed' },
  },
  QUEUE_ALREADY_STARTED: {
    status: 409,
    message: {
      th: 'คิวเริ่มแล้ว เปลี่ยนเวลาเปิดไม่ได้',
      en: 'The queue has started; its opening time can no longer change',
    },
  },
  ACCESS_EXPIRED: {
    status: 403,
    message: {
      th: 'สิทธิ์เข้าจองหมดเวลาแล้ว กรุณาเข้าคิวใหม่',
      en: 'Your booking access has expired; please join the queue again',
    },
  },
  ACCESS_EXHAUSTED: {
    status: 403,
    message: {
      th: 'ใช้สิทธิ์จองครบจำนวนแล้ว',
      en: 'Every booking this access allows has been used',
    },
  },
  RATE_LIMITED: {
    status: 429,
    message: {
      th: 'มีการเข้าคิวจากเครือข่ายนี้มากเกินไป กรุณารอสักครู่',
      en: 'Too many joins from this network; please wait a moment',
    },
  },
};

export function problemFor(code: WaitingRoomErrorCode): { status: number; problem: Problem } {
  const { status, message } = PROBLEMS[code];
  return { status, problem: { code, message } };
}

/** Router-level: WaitingRoomError → its status and bilingual message; the rest goes on. */
export function waitingRoomErrorHandler(metrics: WaitingRoomMetrics): ErrorRequestHandler {
  return (err, _req, res, next) => {
    if (!(err instanceof WaitingRoomError)) return next(err);
    const { status, problem } = problemFor(err.code);
    if (status === 401 || status === 403) {
      metrics.tokensRefused.inc({ code: err.code });
      if (status === 401) res.setHeader('WWW-Authenticate', `Bearer error="invalid_token"`);
    }
    res.setHeader('Cache-Control', 'no-store');
    sendProblem(res, status, problem);
  };
}

export function bearerToken(req: Request): string | undefined {
  const header = req.get('authorization');
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}
