import { ageOn } from '@khiw/thai';
import type { RejectionCode } from './booking-outcome';

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
}

/** A priority group's age window: null (a database column) or absent (the snapshot) is open. */
export interface GroupRules {
  minAgeYears?: number | null;
  maxAgeYears?: number | null;
}

export interface Applicant {
  /** YYYY-MM-DD, Common Era. */
  birthDate: string;
  provinceCode?: string;
  /** Whether the national registry list has this citizen ID. */
  alreadyVaccinated: boolean;
}

/** Whether the campaign is only for residents of one province (the form must then name it). */
export function requiresProvince(rules: EligibilityRules): boolean {
  return Boolean(rules.provinceCode);
}

/** Province of residence: none declared counts as another province. */
export function provinceProblem(
  rules: EligibilityRules,
  provinceCode: string | undefined,
): 'NOT_ELIGIBLE_PROVINCE' | null {
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
  return age < min || age > max ? 'NOT_ELIGIBLE_AGE' : null;
}

/**
 * The first rule the applicant fails, in the order the worker reports them (province, age,
 * then the registry), or null when eligible.
 */
export function eligibilityProblem(
  rules: EligibilityRules,
  group: GroupRules,
  applicant: Applicant,
  appointment: Date,
): RejectionCode | null {
  return (
    provinceProblem(rules, applicant.provinceCode) ??
    ageProblem(rules, group, applicant.birthDate, appointment) ??
    ((rules.excludeAlreadyVaccinated ?? true) && applicant.alreadyVaccinated ? 'ALREADY_VACCINATED' : null)
  );
}
