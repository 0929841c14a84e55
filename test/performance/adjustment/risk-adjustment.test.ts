import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/lib/random.ts';
import { sigmoid } from '../../../src/performance/adjustment/glmm.ts';
import type { AdjustmentRow } from '../../../src/performance/adjustment/risk-adjustment.ts';
import { adjustIndicator } from '../../../src/performance/adjustment/risk-adjustment.ts';

const FEATURES = ['intercept', 'severity', 'constant_zero'];

/** `institutions` copies of the very same patients: identical institutions. */
function identicalInstitutions(institutions: number, patients: number): AdjustmentRow[] {
  const rng = new Rng(9);
  const base = Array.from({ length: patients }, () => {
    const severity = rng.normal(0, 1);
    return { severity, controlled: rng.bernoulli(sigmoid(0.2 - 0.8 * severity)) };
  });
  const rows: AdjustmentRow[] = [];
  for (let j = 0; j < institutions; j++)
    base.forEach((b, i) => rows.push({ memberId: `M${j}-${i}`, institutionId: `I${j}`, controlled: b.controlled, caseMix: [1, b.severity, 0] }));
  return rows;
}

describe('risk-standardised rates (predicted / expected)', () => {
  it('O/E = P/E = 1 and RSR = the overall rate when all institutions are identical', () => {
    const result = adjustIndicator(identicalInstitutions(5, 80), FEATURES, ['I0', 'I1', 'I2', 'I3', 'I4'], 30, { bootstrapReplicates: 50 });
    expect(result.model!.droppedFeatures).toEqual(['constant_zero']);
    for (const inst of result.institutions) {
      expect(inst.observedToExpected).toBeCloseTo(1, 6);
      expect(inst.predictedToExpected).toBeCloseTo(1, 6);
      expect(inst.riskStandardisedRate).toBeCloseTo(result.overallRate!, 6);
      expect(inst.interval!.lower).toBeLessThanOrEqual(inst.riskStandardisedRate! + 1e-12);
      expect(inst.interval!.upper).toBeGreaterThanOrEqual(inst.riskStandardisedRate! - 1e-12);
      // Traceability: the patients' contributions add up to the figures.
      expect(inst.patients.reduce((s, p) => s + p.expected, 0)).toBeCloseTo(inst.expected, 9);
      expect(inst.patients.reduce((s, p) => s + p.predicted, 0)).toBeCloseTo(inst.predicted, 9);
      expect(inst.patients.filter((p) => p.controlled).length).toBe(inst.observed);
      // Each expected probability is the model's, from the patient's own covariates.
      const c = result.model!.coefficients;
      for (const pt of inst.patients) expect(pt.expected).toBeCloseTo(sigmoid(c.intercept! + c.severity! * pt.caseMix[1]!), 12);
    }
  });

  it('credits an institution whose patients are sicker: raw rate low, RSR at the mean', () => {
    // I0 and I1 have the same quality; I1's patients are much sicker.
    const rng = new Rng(4);
    const rows: AdjustmentRow[] = [];
    for (let j = 0; j < 6; j++)
      for (let i = 0; i < 400; i++) {
        const severity = rng.normal(j === 1 ? 1.5 : 0, 1);
        rows.push({ memberId: `M${j}-${i}`, institutionId: `I${j}`, controlled: rng.bernoulli(sigmoid(0.3 - 1.0 * severity)), caseMix: [1, severity, 0] });
      }
    const r = adjustIndicator(rows, FEATURES, ['I0', 'I1', 'I2', 'I3', 'I4', 'I5'], 30, { bootstrapReplicates: 0 });
    const [i0, i1] = r.institutions;
    expect(i1!.rawRate!).toBeLessThan(i0!.rawRate! - 0.2);
    expect(Math.abs(i1!.riskStandardisedRate! - i0!.riskStandardisedRate!)).toBeLessThan(0.06);
    expect(r.model!.coefficients.severity).toBeCloseTo(-1, 0);
    expect(i1!.interval).toBeNull();
  });

  it('institutions under the minimum denominator are fitted but unpublished; absent ones are reported empty', () => {
    const rows = identicalInstitutions(3, 40);
    const small = rows.filter((r) => r.institutionId !== 'I2' || Number(r.memberId.split('-')[1]) < 29);
    const r = adjustIndicator(small, FEATURES, ['I0', 'I1', 'I2', 'I9'], 30, { bootstrapReplicates: 20 });
    expect(r.institutions.map((i) => [i.institutionId, i.denominator, i.published, i.unpublishedReason])).toEqual([
      ['I0', 40, true, null],
      ['I1', 40, true, null],
      ['I2', 29, false, 'denominator below minimum'],
      ['I9', 0, false, 'no patients'],
    ]);
    expect(r.institutions[2]!.riskStandardisedRate).not.toBeNull();
    expect(r.institutions[3]!.riskStandardisedRate).toBeNull();
    expect(r.model!.institutions).toBe(3);
  });

  it('is deterministic for a seed', () => {
    const rows = identicalInstitutions(2, 40).map((r, i) => ({ ...r, controlled: i % 3 === 0 }));
    const a = adjustIndicator(rows, FEATURES, ['I0', 'I1'], 30, { seed: 5, bootstrapReplicates: 30 });
    const b = adjustIndicator(rows, FEATURES, ['I0', 'I1'], 30, { seed: 5, bootstrapReplicates: 30 });
    expect(a.institutions.map((i) => i.interval)).toEqual(b.institutions.map((i) => i.interval));
  });
});
