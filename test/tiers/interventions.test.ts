import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../src/config/policy.ts';
import { applicableServices, interventionList, type HistoryEvent, type InterventionContext } from '../../src/tiers/interventions.ts';

const policy = defaultPolicy();
const ctx = (patch: Partial<InterventionContext>): InterventionContext => ({
  riskClass: 'mild',
  chronic: new Set(['diabetes']),
  age: 60,
  asOf: '2026-06-30',
  managedSince: '2024-01-01',
  history: [],
  ...patch,
});
const byId = (list: ReturnType<typeof interventionList>) => Object.fromEntries(list.map((i) => [i.id, i]));

describe('intervention lists', () => {
  it('a diabetic mild patient gets quarterly follow-up, fundus, foot, microalbumin and HbA1c', () => {
    expect(applicableServices(ctx({}), policy).map((s) => s.id)).toEqual(['follow-up-visit', 'follow-up-phone', 'fundus-exam', 'foot-exam', 'urine-microalbumin', 'hba1c-test']);
  });
  it('hypertension alone gets no fundus or foot exam', () => {
    expect(applicableServices(ctx({ chronic: new Set(['hypertension']) }), policy).map((s) => s.id)).not.toContain('fundus-exam');
  });
  it('screening is for 40+ only', () => {
    expect(applicableServices(ctx({ riskClass: 'healthy', age: 39 }), policy)).toEqual([]);
    expect(applicableServices(ctx({ riskClass: 'healthy', age: 40 }), policy).map((s) => s.id)).toEqual(['bp-screening', 'glucose-screening', 'lipid-screening']);
  });
  it('due dates come from the member own history: done, due and overdue', () => {
    const history: HistoryEvent[] = [
      { entity: 'encounter', encounterClass: 'outpatient', date: '2026-05-01' }, // visit: next due 2026-07-31 -> done
      { entity: 'encounter', encounterClass: 'phone', date: '2026-05-10' }, // phone: due 2026-06-24 -> due (within grace)
      { entity: 'procedure', code: 'CPT|92250', date: '2025-04-01' }, // fundus: due 2026-04-01 -> overdue
      { entity: 'procedure', code: 'CPT|2028F', date: '2026-07-15' }, // foot exam after as-of: ignored
    ];
    const list = byId(interventionList(ctx({ history }), policy));
    expect(list['follow-up-visit']).toMatchObject({ status: 'done', dueDate: '2026-07-31', lastDone: '2026-05-01' });
    expect(list['follow-up-phone']).toMatchObject({ status: 'due', dueDate: '2026-06-24' });
    expect(list['fundus-exam']).toMatchObject({ status: 'overdue', dueDate: '2026-04-01' });
    expect(list['foot-exam']).toMatchObject({ status: 'overdue', lastDone: null, dueDate: '2024-12-31' });
  });
  it('a service never done is due, not done, even for a new sign-up', () => {
    const list = byId(interventionList(ctx({ managedSince: '2026-06-01' }), policy));
    expect(list['fundus-exam']).toMatchObject({ status: 'due', lastDone: null, dueDate: '2027-06-01' });
  });
  it('the grace period before overdue is configuration', () => {
    const history: HistoryEvent[] = [{ entity: 'encounter', encounterClass: 'phone', date: '2026-05-10' }];
    const strict = { packages: { ...policy.packages, graceDays: 0 } };
    expect(byId(interventionList(ctx({ history }), strict))['follow-up-phone']!.status).toBe('overdue');
  });
});
