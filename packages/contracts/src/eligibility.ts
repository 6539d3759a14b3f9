import { ageInMonthsOn, ageOn } from '@khiw/thai';
import type { RejectionCode } from './booking-outcome';
import { documentTypeOf, type DocumentType } from './primitives';

/**
 * Who may book (DESIGN.md invariant 5), as one pure rule for both sides: the booking worker
 * decides with it under the campaign's lock (it is the authority, and it alone sees the
 * registry), and the gateway answers with it at once what it can already see from the form
 * and the campaign snapshot, so that a request the worker would refuse is never queued.
 */

/** The campaign's rules (its file's `eligibility`; the snapshot carries all but the registry flag). */
export interface EligibilityRules {
  provinceCode?: string;
  excludeAlreadyVaccinated?: boolean;
  minAgeYears?: number;
  maxAgeYears?: number;
  /** An upper age in years and months (Bangkok: 59 years 10 months), besides maxAgeYears. */
  maxAge?: { years: number; months: number };
  /** A list (imported by ops) whose people are eligible whatever their province. */
  orOnList?: string;
  /** The identity documents accepted; Thai-issued 13-digit numbers only when absent. */
  documents?: readonly DocumentType[];
}

/** A priority group's age window: null (a database column) or absent (the snapshot) is open. */
export interface GroupRules {
  minAgeYears?: number | null;
  maxAgeYears?: number | null;
}

export interface Applicant {
  /** The document id (contracts `citizenId`): a 13-digit number or `P-NAT-NUMBER`. */
  citizenId: string;
  /** YYYY-MM-DD, Common Era. */
  birthDate: string;
  provinceCode?: string;
  /** Whether the national registry list has this citizen ID. */
  alreadyVaccinated: boolean;
  /** Whether the campaign's `orOnList` list has this person (the worker alone knows). */
  onList?: boolean;
}

/** A document the campaign does not take (a passport where only Thai IDs are). */
export function documentProblem(rules: EligibilityRules, citizenId: string): 'DOCUMENT_NOT_ACCEPTED' | null {
  const accepted = rules.documents ?? ['thai_citizen_id'];
  return accepted.includes(documentTypeOf(citizenId)) ? null : 'DOCUMENT_NOT_ACCEPTED';
}

/** Whether the campaign is only for residents of one province (the form must then name it). */
export function requiresProvince(rules: EligibilityRules): boolean {
  return Boolean(rules.provinceCode);
}

/** Province of residence: none declared counts as another province; the campaign's list lets in. */
export function provinceProblem(
  rules: EligibilityRules,
  provinceCode: string | undefined,
  onList = false,
): 'NOT_ELIGIBLE_PROVINCE' | null {
  if (rules.orOnList && onList) return null;
  return requiresProvince(rules) && provinceCode !== rules.provinceCode ? 'NOT_ELIGIBLE_PROVINCE' : null;
}

/** The ages allowed, both ends included: the group's window inside the campaign's. */
export function ageWindow(rules: EligibilityRules, group: GroupRules): { min: number; max: number } {
  return {
    min: Math.max(rules.minAgeYears ?? 0, group.minAgeYears ?? 0),
    max: Math.min(rules.maxAgeYears ?? Infinity, group.maxAgeYears ?? Infinity),
  };
}

/**
 * Full years on the appointment (the slot's start), by the Bangkok calendar (@khiw/thai
 * `ageOn`): someone turning 18 on the day of the appointment is 18 for it. The campaign's
 * `timezone` plays no part; every campaign is in Thailand.
 */
export function ageProblem(
  rules: EligibilityRules,
  group: GroupRules,
  birthDate: string,
  appointment: Date,
): 'NOT_ELIGIBLE_AGE' | null {
  const age = ageOn(birthDate, appointment);
  const { min, max } = ageWindow(rules, group);
  if (age < min || age > max) return 'NOT_ELIGIBLE_AGE';
  const limit = rules.maxAge && rules.maxAge.years * 12 + rules.maxAge.months;
  return limit !== undefined && ageInMonthsOn(birthDate, appointment) > limit ? 'NOT_ELIGIBLE_AGE' : null;
}

/**
 * The first rule the applicant fails, in the order the worker reports them (document,
 * province, age, then the registry), or null when eligible.
 */
export function eligibilityProblem(
  rules: EligibilityRules,
  group: GroupRules,
  applicant: Applicant,
  appointment: Date,
): RejectionCode | null {
  return (
    documentProblem(rules, applicant.citizenId) ??
    provinceProblem(rules, applicant.provinceCode, applicant.onList) ??
    ageProblem(rules, group, applicant.birthDate, appointment) ??
    ((rules.excludeAlreadyVaccinated ?? true) && applicant.alreadyVaccinated ? 'ALREADY_VACCINATED' : null)
  );
}
