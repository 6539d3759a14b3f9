import {
  ageProblem,
  documentProblem,
  documentTypeOf,
  provinceProblem,
  requiresProvince,
  type CampaignSnapshot,
} from '@khiw/contracts';
import type { FieldErrors } from '../http/field-errors';
import { FIELD_MESSAGES } from '../http/problem-messages';

/** What of one form the eligibility rule reads; absent when missing or not valid. */
export interface EligibilityFacts {
  /** The document id: 13 digits, or `P-NAT-NUMBER` for a passport. */
  citizenId?: string;
  groupCode?: string;
  birthDate?: string;
  provinceCode?: string;
  /** The chosen slot's start (ISO), once the slot is known to be the campaign's and the site's. */
  startsAt?: string;
}

/**
 * Field errors for what the booking worker would refuse as DOCUMENT_NOT_ACCEPTED,
 * NOT_ELIGIBLE_PROVINCE or NOT_ELIGIBLE_AGE, from the campaign snapshot and the form alone, by the worker's own rule
 * (@khiw/contracts). A campaign for one province needs `provinceCode`: its absence is
 * "required for this campaign" (the worker would refuse it as another province). The age
 * is checked once the slot is known (the age counts on the appointment day), against the
 * chosen group's window when the group is the campaign's, else the campaign's alone.
 * The registry check (ALREADY_VACCINATED) stays with the worker: only it holds the list.
 */
export function eligibilityFieldErrors(snapshot: CampaignSnapshot, facts: EligibilityFacts): FieldErrors {
  const fields: FieldErrors = {};
  const rules = snapshot.eligibility;
  if (facts.citizenId !== undefined && documentProblem(rules, facts.citizenId)) {
    const field = documentTypeOf(facts.citizenId) === 'passport' ? 'passportNumber' : 'citizenId';
    fields[field] = FIELD_MESSAGES.documentNotAccepted;
  }
  if (requiresProvince(rules)) {
    if (facts.provinceCode === undefined) fields.provinceCode = FIELD_MESSAGES.provinceRequired;
    // Another province may still be on the campaign's list: only the worker can tell.
    else if (!rules.orOnList && provinceProblem(rules, facts.provinceCode)) {
      fields.provinceCode = FIELD_MESSAGES.provinceOutside;
    }
  }
  if (facts.birthDate !== undefined && facts.startsAt !== undefined) {
    const group = snapshot.groups.find((g) => g.code === facts.groupCode) ?? {};
    if (ageProblem(rules, group, facts.birthDate, new Date(facts.startsAt))) {
      fields.birthDate = FIELD_MESSAGES.ageOutside;
    }
  }
  return fields;
}
