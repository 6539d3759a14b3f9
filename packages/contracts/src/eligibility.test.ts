import { ageProblem, ageWindow, eligibilityProblem, provinceProblem, requiresProvince } from './eligibility';

const rules = { provinceCode: '74', minAgeYears: 18 };
const open = {};
// 09:00 in Bangkok on 2 August 2021; 1 August 2021 in UTC until 17:00 UTC.
const appointment = new Date('2021-08-02T02:00:00Z');

describe('provinceProblem', () => {
  it('asks for the campaign province only when the campaign names one', () => {
    expect(requiresProvince(rules)).toBe(true);
    expect(requiresProvince({})).toBe(false);
    expect(requiresProvince({ provinceCode: '' })).toBe(false);
    expect(provinceProblem(rules, '74')).toBeNull();
    expect(provinceProblem(rules, '10')).toBe('NOT_ELIGIBLE_PROVINCE');
    expect(provinceProblem(rules, undefined)).toBe('NOT_ELIGIBLE_PROVINCE');
    expect(provinceProblem({}, undefined)).toBeNull();
  });
});

describe('ageWindow', () => {
  it("keeps the group's window inside the campaign's; null and absent are open", () => {
    expect(ageWindow(rules, open)).toEqual({ min: 18, max: Infinity });
    expect(ageWindow(rules, { minAgeYears: 70, maxAgeYears: null })).toEqual({ min: 70, max: Infinity });
    expect(ageWindow({ minAgeYears: 18, maxAgeYears: 59 }, { minAgeYears: 12, maxAgeYears: 64 })).toEqual({
      min: 18,
      max: 59,
    });
    expect(ageWindow({}, {})).toEqual({ min: 0, max: Infinity });
  });
});

describe('ageProblem', () => {
  it('counts full years on the appointment day in Bangkok, both ends of the window included', () => {
    expect(ageProblem(rules, open, '2003-08-02', appointment)).toBeNull();
    expect(ageProblem(rules, open, '2003-08-03', appointment)).toBe('NOT_ELIGIBLE_AGE');
    const young = { maxAgeYears: 30 };
    expect(ageProblem(rules, young, '1990-08-03', appointment)).toBeNull(); // 30, the last year allowed
    expect(ageProblem(rules, young, '1990-08-02', appointment)).toBe('NOT_ELIGIBLE_AGE'); // 31 on the day
  });

  it('uses the Bangkok date, not the UTC one, of an appointment just after midnight', () => {
    const justAfterMidnight = new Date('2021-08-01T17:30:00Z'); // 00:30 on 2 August in Bangkok
    expect(ageProblem(rules, open, '2003-08-02', justAfterMidnight)).toBeNull();
  });

  it('makes a 29 February birthday a year older on 1 March of a common year', () => {
    const firstOfMarch = new Date('2022-03-01T02:00:00Z');
    const lastOfFebruary = new Date('2022-02-28T02:00:00Z');
    expect(ageProblem({ minAgeYears: 18 }, open, '2004-02-29', firstOfMarch)).toBeNull();
    expect(ageProblem({ minAgeYears: 18 }, open, '2004-02-29', lastOfFebruary)).toBe('NOT_ELIGIBLE_AGE');
  });
});

describe('eligibilityProblem', () => {
  const adult = { birthDate: '1980-05-01', provinceCode: '74', alreadyVaccinated: false };

  it('reports province, then age, then the registry', () => {
    expect(eligibilityProblem(rules, open, adult, appointment)).toBeNull();
    const everything = { birthDate: '2010-01-01', alreadyVaccinated: true };
    expect(eligibilityProblem(rules, open, everything, appointment)).toBe('NOT_ELIGIBLE_PROVINCE');
    expect(eligibilityProblem(rules, open, { ...everything, provinceCode: '74' }, appointment)).toBe(
      'NOT_ELIGIBLE_AGE',
    );
    expect(eligibilityProblem(rules, open, { ...adult, alreadyVaccinated: true }, appointment)).toBe(
      'ALREADY_VACCINATED',
    );
    const allowed = { ...rules, excludeAlreadyVaccinated: false };
    expect(eligibilityProblem(allowed, open, { ...adult, alreadyVaccinated: true }, appointment)).toBeNull();
  });
});
