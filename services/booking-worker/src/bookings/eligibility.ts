/**
 * The eligibility rule lives in @khiw/contracts so the gateway refuses up front, with the
 * same arithmetic, what this worker would refuse after the queue; the worker still decides
 * with it under the campaign's lock (the gateway check is only an early answer).
 */
export { eligibilityProblem, type Applicant, type EligibilityRules, type GroupRules } from '@khiw/contracts';
