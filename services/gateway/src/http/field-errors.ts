import type { z } from 'zod';
import { FIELD_MESSAGES, type FieldMessageKey, type Localized } from './problem-messages';

export type FieldErrors = Record<string, Localized>;

function isFieldMessageKey(value: string): value is FieldMessageKey {
  return Object.prototype.hasOwnProperty.call(FIELD_MESSAGES, value);
}

/** A field message for `text`: the message of a FIELD_MESSAGES key, else `invalid` with the detail. */
function fieldMessage(text: string): Localized {
  if (isFieldMessageKey(text)) return FIELD_MESSAGES[text];
  return { th: FIELD_MESSAGES.invalid.th, en: `${FIELD_MESSAGES.invalid.en}: ${text}` };
}

/** One message per field: the first issue zod found for it. */
export function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    const field = issue.path.length ? issue.path.map(String).join('.') : '(body)';
    if (fields[field]) continue;
    if (isFieldMessageKey(issue.message)) fields[field] = FIELD_MESSAGES[issue.message];
    else if (issue.code === 'invalid_type' && issue.input === undefined)
      fields[field] = FIELD_MESSAGES.required;
    else if (issue.code === 'invalid_type' && field === '(body)') fields[field] = FIELD_MESSAGES.body;
    else fields[field] = fieldMessage(issue.message);
  }
  return fields;
}

/**
 * The field errors of a booking worker or roster answer (contracts InternalProblem: per
 * field, a FIELD_MESSAGES key or a short English detail) in Thai and English. A value of
 * another shape, from a service newer or older than this gateway, reads as `invalid`.
 */
export function fieldErrorsOfAnswer(fields: Readonly<Record<string, unknown>>): FieldErrors {
  const errors: FieldErrors = {};
  for (const [field, value] of Object.entries(fields)) {
    errors[field] = typeof value === 'string' ? fieldMessage(value) : FIELD_MESSAGES.invalid;
  }
  return errors;
}
