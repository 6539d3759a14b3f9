import type { Response } from 'express';
import type { z } from 'zod';
import type { InternalProblem } from '@khiw/contracts';
import { KhiwError, type ErrorCode } from '@khiw/errors';

/** An answer to send as JSON with `Cache-Control: no-store` (express route or a raw http path). */
export interface InternalAnswer {
  status: number;
  body: unknown;
}

/** The status of each code an internal API answers with; the rest are conflicts (409). */
const STATUS: Partial<Record<ErrorCode, number>> = {
  INVALID_INPUT: 400,
  MALFORMED_JSON: 400,
  IMPORT_ABORTED: 400,
  UNKNOWN_SLOT: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  UNKNOWN_GROUP: 404,
  BODY_TOO_LARGE: 413,
  INTERNAL: 500,
};

export function internalStatusOf(code: ErrorCode): number {
  return STATUS[code] ?? 409;
}

/**
 * A problem answer of an internal API: the code and, for bad input, what is wrong per field
 * (a field-message key the gateway knows, or a short English detail). No words for people:
 * the gateway, the only caller, turns codes into Thai and English.
 */
export function problemAnswer(code: ErrorCode, fields?: InternalProblem['fields']): InternalAnswer {
  return {
    status: internalStatusOf(code),
    body: { code, ...(fields && { fields }) } satisfies InternalProblem,
  };
}

export function sendAnswer(res: Response, answer: InternalAnswer): void {
  res.status(answer.status).set('Cache-Control', 'no-store').json(answer.body);
}

export function sendProblem(res: Response, code: ErrorCode, fields?: InternalProblem['fields']): void {
  sendAnswer(res, problemAnswer(code, fields));
}

/** The field entry of a body that is not JSON: a key the gateway words (FIELD_MESSAGES.bodyNotJson). */
export const NOT_JSON_FIELDS: Readonly<Record<string, string>> = { '(body)': 'bodyNotJson' };

/** One entry per field: the first thing zod found wrong with it. */
export function fieldsOf(error: z.ZodError): NonNullable<InternalProblem['fields']> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = issue.path.length ? issue.path.map(String).join('.') : '(body)';
    fields[field] ??= issue.message;
  }
  return fields;
}

/** The parsed value, or undefined after answering 400 INVALID_INPUT with the field errors. */
export function parseOrAnswer<S extends z.ZodType>(
  res: Response,
  schema: S,
  value: unknown,
): z.infer<S> | undefined {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  sendProblem(res, 'INVALID_INPUT', fieldsOf(result.error));
  return undefined;
}

/** A KhiwError as an internal answer; undefined for anything else. */
export function answerForError(error: unknown): InternalAnswer | undefined {
  return KhiwError.is(error) ? problemAnswer(error.code) : undefined;
}
