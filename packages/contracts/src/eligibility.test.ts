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
  const adult = {
    citizenId: '1101700207030',
    birthDate: '1980-05-01',
    provinceCode: '74',
    alreadyVaccinated: false,
  };

  it('reports province, then age, then the registry', () => {
    expect(eligibilityProblem(rules, open, adult, appointment)).toBeNull();
    const everything = { citizenId: '1101700207030', birthDate: '2010-01-01', alreadyVaccinated: true };
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

describe('an upper age in years and months (Bangkok: 18 to 59 years 10 months)', () => {
  const bangkok = { minAgeYears: 18, maxAge: { years: 59, months: 10 } };
  const on = new Date('2021-06-07T02:00:00Z'); // 7 June 2021, 09:00 in Bangkok

  it('lets in 59 years 10 months and the days after, refuses 59 years 11 months', () => {
    expect(ageProblem(bangkok, {}, '1961-08-07', on)).toBeNull(); // 59 y 10 m today
    expect(ageProblem(bangkok, {}, '1961-07-08', on)).toBeNull(); // 59 y 10 m 30 d
    expect(ageProblem(bangkok, {}, '1961-07-07', on)).toBe('NOT_ELIGIBLE_AGE'); // 59 y 11 m today
    expect(ageProblem(bangkok, {}, '2003-06-08', on)).toBe('NOT_ELIGIBLE_AGE'); // 17 until tomorrow
  });

  it('counts a month complete on the last day of a shorter month', () => {
    // Born 31 March 1961: on 30 April 2021 (no 31st) the month is complete.
    expect(
      ageProblem({ maxAge: { years: 60, months: 0 } }, {}, '1961-03-31', new Date('2021-04-30T02:00:00Z')),
    ).toBe('NOT_ELIGIBLE_AGE');
    expect(
      ageProblem({ maxAge: { years: 60, months: 0 } }, {}, '1961-03-31', new Date('2021-04-29T02:00:00Z')),
    ).toBeNull();
  });
});
