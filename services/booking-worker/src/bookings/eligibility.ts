import type { RejectionCode } from '@khiw/contracts';
import { ageOn } from '@khiw/thai';

/** The campaign's rules, as loaded from its file (booking.campaigns.eligibility). */
export interface EligibilityRules {
  provinceCode?: string;
  excludeAlreadyVaccinated?: boolean;
  minAgeYears?: number;
  maxAgeYears?: number;
}

export interface GroupRules {
  minAgeYears: number | null;
  maxAgeYears: number | null;
}

export interface Applicant {
  birthDate: string;
  provinceCode?: string;
  /** Whether the national registry list has this citizen ID. */
  alreadyVaccinated: boolean;
}

/**
 * DESIGN.md invariant 5, checked on the worker whatever the gateway let through: province of
 * residence, age on the appointment day against the campaign's and the group's windows, and
 * the national registry's list of people already vaccinated. (The citizen ID check digit is
 * part of the job contract; "not already booked" is the database's unique index.)
 */
export function eligibilityProblem(
  rules: EligibilityRules,
  group: GroupRules,
  applicant: Applicant,
  appointment: Date,
): RejectionCode | null {
  if (rules.provinceCode && applicant.provinceCode !== rules.provinceCode) return 'NOT_ELIGIBLE_PROVINCE';
  const age = ageOn(applicant.birthDate, appointment);
  const min = Math.max(rules.minAgeYears ?? 0, group.minAgeYears ?? 0);
  const max = Math.min(rules.maxAgeYears ?? Infinity, group.maxAgeYears ?? Infinity);
  if (age < min || age > max) return 'NOT_ELIGIBLE_AGE';
  if ((rules.excludeAlreadyVaccinated ?? true) && applicant.alreadyVaccinated) return 'ALREADY_VACCINATED';
  return null;
}
