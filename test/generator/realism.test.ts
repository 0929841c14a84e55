import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePopulation } from '../../src/generator/population-files.ts';
import type { InstitutionTruth } from '../../src/generator/population.ts';
import { readRows } from './helpers.ts';

const MEMBERS = 20_000;
const dir = mkdtempSync(path.join(tmpdir(), 'stratum-real-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Row = Record<string, string | null>;
let members: Row[];
let conditions: Row[];
let observations: Row[];
let encounters: Row[];
let totalRows = 0;

beforeAll(async () => {
  const summary = await writePopulation({ members: MEMBERS, seed: 42, defectRate: 0, startYear: 2022, endYear: 2026 }, dir);
  totalRows = summary.totalRows;
  members = readRows(dir, 'member.csv').rows;
  conditions = readRows(dir, 'condition.csv').rows;
  observations = readRows(dir, 'observation.csv').rows;
  encounters = readRows(dir, 'encounter.csv').rows;
}, 60_000);

const AS_OF = '2026-01-01';
const enrolledAt = (day: string) => new Set(members.filter((m) => m.enrolled_from! <= day && (m.enrolled_to == null || m.enrolled_to >= day)).map((m) => m.member_id!));
const withCondition = (prefix: string) => new Set(conditions.filter((c) => c.source === 'problem-list' && c.code!.startsWith(prefix) && c.onset_date! < AS_OF).map((c) => c.member_id!));
const share = (set: Set<string>, among: Set<string>) => [...set].filter((m) => among.has(m)).length / among.size;

describe('population shape', () => {
  it('is adult, census-shaped, split between the two schemes, with deaths and churn', () => {
    const ages = members.map((m) => 2022 - Number(m.birth_date!.slice(0, 4)));
    expect(Math.min(...ages)).toBeGreaterThanOrEqual(18);
    const over65 = ages.filter((a) => a >= 65).length / ages.length;
    expect(over65).toBeGreaterThan(0.13);
    expect(over65).toBeLessThan(0.26);
    const uebmi = members.filter((m) => m.insurance_scheme === 'UEBMI').length / members.length;
    expect(uebmi).toBeGreaterThan(0.28);
    expect(uebmi).toBeLessThan(0.42);
    const deaths = members.filter((m) => m.deceased_date !== null).length / members.length;
    expect(deaths).toBeGreaterThan(0.02);
    expect(deaths).toBeLessThan(0.08);
    expect(members.filter((m) => m.enrolled_from! > '2022-01-01').length / members.length).toBeGreaterThan(0.05);
    expect(new Set(members.map((m) => m.region)).size).toBe(8);
  });

  it('has about 40 data rows per member (Stratum issue 2), most of them readings', () => {
    expect(totalRows / MEMBERS).toBeGreaterThan(36);
    expect(totalRows / MEMBERS).toBeLessThan(46);
    expect(observations.length / MEMBERS).toBeGreaterThan(12);
    expect(encounters.length / MEMBERS).toBeGreaterThan(5);
  });

  it('bills claims by month and category: drugs with the dispensing visit, package services unbilled', () => {
    const claims = readRows(dir, 'claim_cost.csv').rows;
    expect(claims.length / MEMBERS).toBeLessThan(12);
    const cells = new Set(claims.map((c) => `${c.member_id}|${c.month}|${c.category}`));
    expect(cells.size).toBe(claims.length);
    const categories = new Set(claims.map((c) => c.category));
    for (const c of ['inpatient', 'outpatient', 'ed', 'pharmacy', 'primary-care', 'other']) expect(categories.has(c), c).toBe(true);
    // Retail pharmacy only: far fewer pharmacy lines than dispensed prescriptions.
    const prescriptions = readRows(dir, 'medication.csv').rows.length;
    expect(claims.filter((c) => c.category === 'pharmacy').length).toBeLessThan(prescriptions / 3);
    // A month with only a phone follow-up has no primary-care claim.
    const phoneOnly = encounters.filter((e) => e.class === 'phone');
    const billedMonths = new Set(claims.filter((c) => c.category === 'primary-care').map((c) => `${c.member_id}|${c.month}`));
    const otherVisitMonths = new Set(encounters.filter((e) => e.class !== 'phone').map((e) => `${e.member_id}|${e.start_time!.slice(0, 7)}`));
    const lonePhone = phoneOnly.filter((e) => !otherVisitMonths.has(`${e.member_id}|${e.start_time!.slice(0, 7)}`));
    expect(lonePhone.length).toBeGreaterThan(100);
    expect(lonePhone.filter((e) => billedMonths.has(`${e.member_id}|${e.start_time!.slice(0, 7)}`)).length / lonePhone.length).toBeLessThan(0.25);
  });

  it('has DOMAIN.md prevalence: hypertension ~27%, diabetes ~11% of adults', () => {
    const enrolled = enrolledAt(AS_OF);
    const htn = share(withCondition('I10'), enrolled);
    const dm = share(withCondition('E11'), enrolled);
    expect(htn).toBeGreaterThan(0.23);
    expect(htn).toBeLessThan(0.32);
    expect(dm).toBeGreaterThan(0.08);
    expect(dm).toBeLessThan(0.14);
    for (const code of ['I25.1', 'I63.9', 'I50.9', 'N18.3', 'J44.9', 'E11.3', 'E11.4', 'I73.9', 'R73.0']) expect(withCondition(code).size, code).toBeGreaterThan(20);
  });

  it('has control rates in range: BP < 140/90 in 15-40%, HbA1c < 7% in 30-50% (latest 2026 reading)', () => {
    const panels = new Map<string, { member: string; time: string; sys: number; dia?: number }>();
    for (const o of observations) if (o.code === '8480-6' && o.setting !== 'inpatient' && o.setting !== 'ed' && o.effective_time! >= '2026') panels.set(o.panel_id!, { member: o.member_id!, time: o.effective_time!, sys: Number(o.value) });
    for (const o of observations) if (o.code === '8462-4' && panels.has(o.panel_id!)) panels.get(o.panel_id!)!.dia = Number(o.value);
    const latestBp = new Map<string, { time: string; ok: boolean }>();
    for (const p of panels.values()) if (!latestBp.has(p.member) || latestBp.get(p.member)!.time < p.time) latestBp.set(p.member, { time: p.time, ok: p.sys < 140 && p.dia! < 90 });
    const htn = [...withCondition('I10')].filter((m) => latestBp.has(m));
    const bpControl = htn.filter((m) => latestBp.get(m)!.ok).length / htn.length;
    expect(bpControl).toBeGreaterThan(0.15);
    expect(bpControl).toBeLessThan(0.4);
    const latestA1c = new Map<string, { time: string; pct: number }>();
    for (const o of observations) {
      if (o.code !== '4548-4' || o.effective_time! < '2026') continue;
      const pct = o.unit === 'mmol/mol' ? 0.09148 * Number(o.value) + 2.152 : Number(o.value);
      if (!latestA1c.has(o.member_id!) || latestA1c.get(o.member_id!)!.time < o.effective_time!) latestA1c.set(o.member_id!, { time: o.effective_time!, pct });
    }
    const dm = [...withCondition('E11')].filter((m) => latestA1c.has(m));
    const a1cControl = dm.filter((m) => latestA1c.get(m)!.pct < 7).length / dm.length;
    expect(a1cControl).toBeGreaterThan(0.3);
    expect(a1cControl).toBeLessThan(0.5);
  });

  it('has every encounter class the brief lists, and inpatient stays with a disposition', () => {
    const classes = new Set(encounters.map((e) => e.class));
    for (const c of ['outpatient', 'phone', 'home', 'ed', 'inpatient']) expect(classes.has(c), c).toBe(true);
    const inpatient = encounters.filter((e) => e.class === 'inpatient');
    expect(inpatient.every((e) => e.discharge_disposition !== null && e.end_time! > e.start_time!)).toBe(true);
    expect(inpatient.some((e) => e.discharge_disposition === 'expired')).toBe(true);
  });
});

describe('ground truth', () => {
  const outcomes = () => readRows(dir, 'truth/outcomes.csv').rows.filter((o) => o.censored === '0');
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

  it('readmits 15-20% of chronic patients’ discharges, calibrated to the recorded true probability', () => {
    const chronic = new Set(conditions.filter((c) => c.source === 'problem-list' && /^(I10|E11|I25|I63|I50|N18|J44)/.test(c.code!)).map((c) => c.member_id!));
    const readmit = outcomes().filter((o) => o.outcome === 'readmission-30d' && chronic.has(o.member_id!));
    expect(readmit.length).toBeGreaterThan(500);
    const realised = mean(readmit.map((o) => Number(o.realised)));
    expect(realised).toBeGreaterThan(0.13);
    expect(realised).toBeLessThan(0.22);
    expect(Math.abs(realised - mean(readmit.map((o) => Number(o.true_probability))))).toBeLessThan(0.03);
  });

  it('records onset outcomes whose true probabilities are calibrated and spread by risk', () => {
    for (const kind of ['onset-hypertension', 'onset-diabetes', 'onset-chd']) {
      const rows = outcomes().filter((o) => o.outcome === kind);
      expect(rows.length, kind).toBeGreaterThan(10_000);
      const p = rows.map((o) => Number(o.true_probability));
      const y = mean(rows.map((o) => Number(o.realised)));
      expect(Math.abs(y - mean(p)) / mean(p), kind).toBeLessThan(0.2);
      const sorted = [...rows].sort((a, b) => Number(a.true_probability) - Number(b.true_probability));
      const tenth = Math.floor(rows.length / 10);
      const low = mean(sorted.slice(0, tenth).map((o) => Number(o.realised)));
      const high = mean(sorted.slice(-tenth).map((o) => Number(o.realised)));
      expect(high, kind).toBeGreaterThan(3 * low + 0.005);
    }
  });

  it('writes costs whose realised total is near the expected', () => {
    const costs = readRows(dir, 'truth/costs.csv').rows;
    const ratio = costs.reduce((a, c) => a + Number(c.realised_cost), 0) / costs.reduce((a, c) => a + Number(c.expected_cost), 0);
    expect(ratio).toBeGreaterThan(0.8);
    expect(ratio).toBeLessThan(1.25);
  });

  it('gives ~40 institutions of two levels true quality effects with SD ~0.5, and sicker case mix at better ones', () => {
    const truth = JSON.parse(readFileSync(path.join(dir, 'truth/institutions.json'), 'utf8')).institutions as InstitutionTruth[];
    expect(truth.length).toBe(40);
    expect(new Set(truth.map((t) => t.level))).toEqual(new Set(['primary', 'secondary']));
    const q = truth.map((t) => t.quality_effect_logodds);
    const sd = Math.sqrt(mean(q.map((x) => (x - mean(q)) ** 2)));
    expect(sd).toBeGreaterThan(0.3);
    expect(sd).toBeLessThan(0.75);
    const s = truth.map((t) => t.case_mix.severity_shift);
    const cov = mean(q.map((x, i) => (x - mean(q)) * (s[i]! - mean(s))));
    expect(cov).toBeGreaterThan(0);
    expect(truth.every((t) => t.case_mix.members > 0)).toBe(true);
  });

  it('lets the case mix show in the record: sicker institutions have longer-standing disease and more complications', () => {
    // Generator 1.3: severity lengthens the years since diagnosis and raises the odds of each
    // complication, so a case-mix model of recorded history can find an institution's case mix
    // (under 1.2 duration did not move with it: correlation 0.05 here, 0.3 on seed 1).
    const truth = JSON.parse(readFileSync(path.join(dir, 'truth/institutions.json'), 'utf8')).institutions as InstitutionTruth[];
    const institutionOf = new Map(readRows(dir, 'signup.csv').rows.map((s) => [s.member_id!, s.institution_id!]));
    const onset = new Map<string, string>();
    const complications = new Map<string, number>();
    for (const c of conditions) {
      if (c.source !== 'problem-list' || c.onset_date! >= AS_OF) continue;
      if (c.code === 'I10' || c.code === 'E11.9') {
        const first = onset.get(c.member_id!);
        if (first === undefined || c.onset_date! < first) onset.set(c.member_id!, c.onset_date!);
      }
      if (['E11.2', 'E11.3', 'E11.4', 'N18.3', 'I73.9', 'I25.1', 'I63.9', 'I50.9'].includes(c.code!)) complications.set(c.member_id!, (complications.get(c.member_id!) ?? 0) + 1);
    }
    const years = (from: string) => (Date.parse(AS_OF) - Date.parse(from)) / 86_400_000 / 365.25;
    const byInstitution = new Map<string, { duration: number[]; complications: number[] }>();
    for (const [member, first] of onset) {
      const inst = institutionOf.get(member);
      if (inst === undefined) continue;
      const b = byInstitution.get(inst) ?? byInstitution.set(inst, { duration: [], complications: [] }).get(inst)!;
      b.duration.push(years(first));
      b.complications.push(complications.get(member) ?? 0);
    }
    const shift = truth.map((t) => t.case_mix.severity_shift);
    const correlation = (a: number[], b: number[]) => {
      const ma = mean(a), mb = mean(b);
      const cov = mean(a.map((x, i) => (x - ma) * (b[i]! - mb)));
      return cov / Math.sqrt(mean(a.map((x) => (x - ma) ** 2)) * mean(b.map((x) => (x - mb) ** 2)));
    };
    expect(truth.every((t) => (byInstitution.get(t.institution_id)?.duration.length ?? 0) >= 50)).toBe(true);
    expect(correlation(shift, truth.map((t) => mean(byInstitution.get(t.institution_id)!.duration)))).toBeGreaterThan(0.7);
    expect(correlation(shift, truth.map((t) => mean(byInstitution.get(t.institution_id)!.complications)))).toBeGreaterThan(0.7);
  });

  it('records the onset risk factors before the 2023-01-01 index for nearly every member at risk (health record, annual check)', () => {
    const INDEX = '2023-01-01';
    const atRisk = new Set(outcomes().filter((o) => o.outcome === 'onset-diabetes').map((o) => o.member_id!));
    const sick = new Set(conditions.filter((c) => /^(I10|E11)/.test(c.code!) && c.onset_date! < INDEX).map((c) => c.member_id!));
    const members = [...atRisk].filter((m) => !sick.has(m));
    expect(members.length).toBeGreaterThan(5000);
    const before = observations.filter((o) => o.effective_time! < INDEX);
    const withCode = (code: string) => new Set(before.filter((o) => o.code === code).map((o) => o.member_id!));
    const covered = (set: Set<string>) => members.filter((m) => set.has(m)).length / members.length;
    expect(covered(withCode('8480-6'))).toBeGreaterThan(0.85);
    expect(covered(withCode('39156-5'))).toBeGreaterThan(0.85);
    expect(covered(withCode('1558-6'))).toBeGreaterThan(0.85);
    const lifestyle = new Set(readRows(dir, 'lifestyle.csv').rows.filter((l) => l.recorded_date! < INDEX).map((l) => l.member_id!));
    expect(covered(lifestyle)).toBeGreaterThan(0.92);
  });

  it('has no calendar jump in yearly cost (issue 5: the out-of-time year costs like the fit year)', () => {
    const costs = readRows(dir, 'truth/costs.csv').rows;
    const meanOf = (year: string) => mean(costs.filter((c) => c.year === year).map((c) => Number(c.realised_cost)));
    for (const [a, b] of [['2023', '2024'], ['2024', '2025'], ['2025', '2026']]) expect(Math.abs(meanOf(b!) / meanOf(a!) - 1), `${a} -> ${b}`).toBeLessThan(0.06);
  });

  it('signs up most chronic patients, mostly before 2026', () => {
    const signups = readRows(dir, 'signup.csv').rows;
    const signed = new Set(signups.map((s) => s.member_id!));
    const htn = withCondition('I10');
    expect([...htn].filter((m) => signed.has(m)).length / htn.size).toBeGreaterThan(0.7);
    expect(signups.filter((s) => s.from_date! < '2026-01-01').length / signups.length).toBeGreaterThan(0.75);
  });
});
