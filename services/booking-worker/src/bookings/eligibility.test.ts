import { eligibilityProblem } from './eligibility';

const rules = { provinceCode: '74', excludeAlreadyVaccinated: true, minAgeYears: 18 };
const anyGroup = { minAgeYears: null, maxAgeYears: null };
const appointment = new Date('2021-08-02T02:00:00Z'); // 09:00 in Bangkok
const adult = {
  citizenId: '1101700207030',
  birthDate: '1980-05-01',
  provinceCode: '74',
  alreadyVaccinated: false,
};

describe('eligibilityProblem', () => {
  it('accepts an adult living in the province who is not in the registry', () => {
    expect(eligibilityProblem(rules, anyGroup, adult, appointment)).toBeNull();
  });

  it('refuses another province, or none declared', () => {
    expect(eligibilityProblem(rules, anyGroup, { ...adult, provinceCode: '10' }, appointment)).toBe(
      'NOT_ELIGIBLE_PROVINCE',
    );
    expect(eligibilityProblem(rules, anyGroup, { ...adult, provinceCode: undefined }, appointment)).toBe(
      'NOT_ELIGIBLE_PROVINCE',
    );
  });

  it('counts age on the appointment day, in Bangkok', () => {
    const turns18OnTheDay = { ...adult, birthDate: '2003-08-02' };
    const turns18TheDayAfter = { ...adult, birthDate: '2003-08-03' };
    expect(eligibilityProblem(rules, anyGroup, turns18OnTheDay, appointment)).toBeNull();
    expect(eligibilityProblem(rules, anyGroup, turns18TheDayAfter, appointment)).toBe('NOT_ELIGIBLE_AGE');
  });

  it("applies the group's window inside the campaign's", () => {
    const elderly = { minAgeYears: 70, maxAgeYears: null };
    expect(eligibilityProblem(rules, elderly, adult, appointment)).toBe('NOT_ELIGIBLE_AGE');
    expect(eligibilityProblem(rules, elderly, { ...adult, birthDate: '1940-01-01' }, appointment)).toBeNull();
    const young = { minAgeYears: null, maxAgeYears: 30 };
    expect(eligibilityProblem(rules, young, adult, appointment)).toBe('NOT_ELIGIBLE_AGE');
  });

  it('refuses people the national registry lists as vaccinated, unless the campaign allows them', () => {
    const listed = { ...adult, alreadyVaccinated: true };
    expect(eligibilityProblem(rules, anyGroup, listed, appointment)).toBe('ALREADY_VACCINATED');
    expect(
      eligibilityProblem({ ...rules, excludeAlreadyVaccinated: false }, anyGroup, listed, appointment),
    ).toBeNull();
  });

  it('takes the documents the campaign accepts: Thai-issued IDs only unless it names passports', () => {
    const passport = { ...adult, citizenId: 'P-MMR-MA1234567' };
    expect(eligibilityProblem(rules, anyGroup, passport, appointment)).toBe('DOCUMENT_NOT_ACCEPTED');
    const both = { ...rules, documents: ['thai_citizen_id', 'passport'] as const };
    expect(eligibilityProblem(both, anyGroup, passport, appointment)).toBeNull();
    expect(eligibilityProblem(both, anyGroup, adult, appointment)).toBeNull();
    const passportsOnly = { ...rules, documents: ['passport'] as const };
    expect(eligibilityProblem(passportsOnly, anyGroup, adult, appointment)).toBe('DOCUMENT_NOT_ACCEPTED');
  });
});
