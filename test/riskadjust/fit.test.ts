/**
 * Fitting the bureau model (pure parts): the NNLS solver, the monotone reparameterisation, the
 * categories file, the fit on simulated tables with known answers, and the constraints as
 * properties of any fit.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHRONIC_CONDITIONS, groupsOf, ICD10_GROUPS } from '../../src/clinical/conditions.ts';
import { Rng } from '../../src/lib/random.ts';
import { compileRiskModel } from '../../src/riskadjust/compile.ts';
import { RiskModelFitError } from '../../src/riskadjust/errors.ts';
import { bureauModelTables, parseBureauDefinition, type BureauDefinition } from '../../src/riskadjust/fit/bureau-definition.ts';
import { fitRiskModel } from '../../src/riskadjust/fit/fit.ts';
import { nnlsFromNormalEquations } from '../../src/riskadjust/fit/nnls.ts';
import { evaluateModel, type CostRow } from '../../src/riskadjust/fit/predictive-ratios.ts';
import { milderNeighbours } from '../../src/riskadjust/fit/terms.ts';
import { RiskScorer } from '../../src/riskadjust/score.ts';

const CATEGORIES_FILE = join(import.meta.dirname, '../../models/risk-adjustment/categories-v1.json');
const definition = parseBureauDefinition(JSON.parse(readFileSync(CATEGORIES_FILE, 'utf8')));

/** G = A'A and c = A'b of a dense row-major A (m x n). */
function normalEquations(A: number[][], b: number[]): { G: Float64Array; c: Float64Array } {
  const n = A[0]!.length;
  const G = new Float64Array(n * n);
  const c = new Float64Array(n);
  A.forEach((row, r) => {
    for (let i = 0; i < n; i++) {
      c[i]! += row[i]! * b[r]!;
      for (let j = 0; j < n; j++) G[i * n + j]! += row[i]! * row[j]!;
    }
  });
  return { G, c };
}

describe('NNLS (Lawson-Hanson on the normal equations)', () => {
  it('returns the least-squares solution when it is already non-negative', () => {
    // b = 2 x1 + 3 x2 exactly.
    const A = [[1, 0], [0, 1], [1, 1], [2, 1]];
    const { G, c } = normalEquations(A, [2, 3, 5, 7]);
    const { x, atBound } = nnlsFromNormalEquations(G, c);
    expect(x[0]).toBeCloseTo(2, 10);
    expect(x[1]).toBeCloseTo(3, 10);
    expect(atBound).toEqual([]);
  });

  it('holds a variable at 0 when the unconstrained optimum is negative (known answer)', () => {
    // Identity design: the unconstrained answer is b itself, (1, -2, 3); NNLS clips the middle one.
    const { G, c } = normalEquations([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [1, -2, 3]);
    const { x, atBound } = nnlsFromNormalEquations(G, c);
    expect(Array.from(x)).toEqual([1, 0, 3]);
    expect(atBound).toEqual([1]);
  });

  it('re-solves the others when one is clipped (correlated columns)', () => {
    // Columns (1,1,0) and (1,0,0): b = (1, 2, 0) wants x1 = 2, x2 = -1; with x2 = 0, x1 = 1.5.
    const { G, c } = normalEquations([[1, 1], [1, 0], [0, 0]], [1, 2, 0]);
    const { x } = nnlsFromNormalEquations(G, c);
    expect(x[0]).toBeCloseTo(1.5, 12);
    expect(x[1]).toBe(0);
  });

  it('meets the KKT conditions on random problems', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 1000 }), (n, seed) => {
        const rng = new Rng(seed);
        const A = Array.from({ length: n + 5 }, () => Array.from({ length: n }, () => rng.next() * 2 - 0.5));
        const b = A.map(() => rng.next() * 4 - 2);
        const { G, c } = normalEquations(A, b);
        const { x } = nnlsFromNormalEquations(G, c);
        for (let i = 0; i < n; i++) {
          let w = c[i]!;
          for (let j = 0; j < n; j++) w -= G[i * n + j]! * x[j]!;
          expect(x[i]).toBeGreaterThanOrEqual(0);
          // Gradient of the loss: zero on free variables, pointing into the bound on clipped ones.
          if (x[i]! > 0) expect(Math.abs(w)).toBeLessThan(1e-8);
          else expect(w).toBeLessThan(1e-8);
        }
      }),
      { numRuns: 200, seed: 5 },
    );
  });

  it('rejects mismatched sizes with a typed error', () => {
    expect(() => nnlsFromNormalEquations(new Float64Array(3), new Float64Array(2))).toThrow(RiskModelFitError);
  });
});

describe('the categories file (models/risk-adjustment/categories-v1.json)', () => {
  const scorer = RiskScorer.fromTables(bureauModelTables(definition, {}));
  const categoriesOf = (...dx: string[]) => scorer.score({ age: 60, sex: 'F', segment: definition.segment, orec: '0', medicaid: false, dx }).categories;

  it.each([
    ['I10', [20]],
    ['E11.9', [10]],
    ['E11.2', [11]],
    ['I25.1', [30]],
    ['I63.9', [41]],
    ['N18.3', [51]],
    ['I50.9', [60]],
    ['J44.9', [70]],
    ['E11.3', [11, 82]],
    ['I73.9', [80]],
    ['n18.5', [53]],
  ])('maps the national-edition code %s to %j', (code, expected) => {
    expect(categoriesOf(code)).toEqual(expected);
  });

  it('keeps only the most severe category of a family (hierarchies)', () => {
    expect(categoriesOf('E11.9', 'E11.2', 'E11.1')).toEqual([12]);
    expect(categoriesOf('N18.3', 'N18.4', 'I10', 'I11.9')).toEqual([21, 52]);
    expect(categoriesOf('I69.3', 'I63.9', 'I25.1', 'I21.0')).toEqual([31, 41]);
  });

  it('orders every family as a chain from mild to severe', () => {
    expect(Object.fromEntries(milderNeighbours(bureauModelTables(definition, {})))).toEqual({ 11: 10, 12: 11, 21: 20, 31: 30, 41: 40, 51: 50, 52: 51, 53: 52 });
  });

  it('aligns with src/clinical/conditions.ts: every chronic condition has a category, and codes fall in its groups', () => {
    const families = new Set(definition.categories.map((c) => c.family));
    for (const condition of CHRONIC_CONDITIONS) expect(families).toContain(condition);
    // Codes outside the prefix grouping: gangrene (R02) and dialysis dependence (Z99.2), both extra severity markers.
    const outside = definition.categories.flatMap((c) => c.codes).filter((code) => groupsOf('ICD-10-CN', code).length === 0);
    expect(outside.sort()).toEqual(['R02', 'Z99.2']);
    for (const prefix of ICD10_GROUPS.hypertension) expect(categoriesOf(prefix).length).toBeGreaterThan(0);
  });

  it('refuses a definition whose hierarchy names an undefined category', () => {
    const bad = { ...definition, hierarchy: [{ parent: 999, children: [10] }] };
    expect(() => parseBureauDefinition(bad)).toThrow(/category 999 is not defined/);
  });

  it('refuses a hierarchy that is not a chain when fitting', () => {
    const forked: BureauDefinition = { ...definition, hierarchy: [{ parent: 12, children: [11, 20] }] };
    expect(() => milderNeighbours(bureauModelTables(forked, {}))).toThrow(RiskModelFitError);
  });
});

/** Simulated member-years with additive true costs (CNY) and optional noise. */
function simulate(truth: { base: (age: number, sex: string) => number; dx: Record<string, number> }, n: number, seed: number, noise = 0): CostRow[] {
  const rng = new Rng(seed);
  const codes = Object.keys(truth.dx);
  return Array.from({ length: n }, () => {
    const age = rng.int(20, 95);
    const sex = rng.bernoulli(0.5) ? 'M' : 'F';
    const dx = codes.filter(() => rng.bernoulli(0.2));
    const exposure = rng.bernoulli(0.1) ? rng.int(1, 11) / 12 : 1;
    let annual = truth.base(age, sex);
    // The truth follows the CKD hierarchy too: stage 4 replaces stage 3.
    for (const d of dx) if (!(d === 'N18.3' && dx.includes('N18.4'))) annual += truth.dx[d]!;
    annual *= 1 + noise * (rng.next() * 2 - 1);
    return { age, sex, dx, nextYearCost: Math.max(0, annual) * exposure, exposure, group: rng.bernoulli(0.5) ? 'A' : 'B' } as CostRow;
  });
}

describe('fitting (simulated tables with known answers)', () => {
  const structure = bureauModelTables(definition, {});
  // Categories chosen without hierarchy overlaps except the CKD chain 51 -> 52.
  const truth = {
    base: (age: number, sex: string) => (age < 65 ? 400 : 900) + (sex === 'M' ? 100 : 0),
    dx: { I10: 600, 'E11.9': 1200, 'N18.3': 2000, 'N18.4': 3500, 'J44.9': 1500 },
  };

  it('recovers exact costs from noise-free data and normalises to a mean score of 1.0', () => {
    const rows = simulate(truth, 3000, 1);
    const fitted = fitRiskModel(structure, rows);
    const k = fitted.costCoefficients;
    expect(k.BUREAU_F35_44).toBeCloseTo(400, 6);
    expect(k.BUREAU_M70_74).toBeCloseTo(1000, 6);
    expect(k.BUREAU_HCC20).toBeCloseTo(600, 6);
    expect(k.BUREAU_HCC10).toBeCloseTo(1200, 6);
    // N18.4 with N18.3 present: the hierarchy keeps 52 only, so its coefficient is 3,500.
    expect(k.BUREAU_HCC51).toBeCloseTo(2000, 6);
    expect(k.BUREAU_HCC52).toBeCloseTo(3500, 6);
    expect(k.BUREAU_HCC70).toBeCloseTo(1500, 6);
    expect(fitted.evaluation.rSquared).toBeCloseTo(1, 8);
    expect(fitted.evaluation.meanScore).toBeCloseTo(1, 3);
    expect(fitted.evaluation.pool.predictiveRatio).toBeCloseTo(1, 3);
    // Normalised coefficient = cost coefficient / cost per score, to 4 decimals.
    expect(fitted.tables.coefficients.BUREAU_HCC52).toBeCloseTo(3500 / fitted.costPerScore, 4);
    // Unseen terms stay at zero increment: an unseen severe category costs as its milder neighbour.
    expect(fitted.tables.coefficients.BUREAU_HCC53).toBe(fitted.tables.coefficients.BUREAU_HCC52);
    expect(fitted.tables.coefficients.BUREAU_HCC40).toBe(0);
    expect(fitted.support.BUREAU_HCC40).toBe(0);
  });

  it('pools a severe category with its milder one when the data says it costs less (monotone)', () => {
    const inverted = { ...truth, dx: { ...truth.dx, 'N18.3': 3000, 'N18.4': 1000 } };
    const fitted = fitRiskModel(structure, simulate(inverted, 3000, 2));
    const k = fitted.costCoefficients;
    expect(k.BUREAU_HCC52).toBeCloseTo(k.BUREAU_HCC51!, 6);
    expect(k.BUREAU_HCC51!).toBeGreaterThan(1000);
    expect(k.BUREAU_HCC51!).toBeLessThan(3000);
  });

  it('holds a coefficient at 0 where the data says a category lowers cost (non-negative)', () => {
    const fitted = fitRiskModel(structure, simulate({ ...truth, dx: { ...truth.dx, 'J44.9': -300 } }, 3000, 3));
    expect(fitted.costCoefficients.BUREAU_HCC70).toBe(0);
  });

  it('always gives non-negative, hierarchy-monotone coefficients and a mean score of 1.0 (property)', () => {
    const chains = milderNeighbours(structure);
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('I10', 'I11.9', 'E11.9', 'E11.2', 'E11.1', 'N18.3', 'N18.4', 'N18.5', 'I50.9', 'J44.9', 'I63.9', 'I69.3'), fc.integer({ min: -3000, max: 5000 }), { minKeys: 2 }),
        fc.integer({ min: 0, max: 10_000 }),
        (dx, seed) => {
          const fitted = fitRiskModel(structure, simulate({ base: truth.base, dx }, 600, seed, 0.5));
          for (const value of Object.values(fitted.tables.coefficients)) expect(value).toBeGreaterThanOrEqual(0);
          for (const [severe, mild] of chains) expect(fitted.tables.coefficients[`BUREAU_HCC${severe}`]!).toBeGreaterThanOrEqual(fitted.tables.coefficients[`BUREAU_HCC${mild}`]!);
          expect(Math.abs(fitted.evaluation.meanScore - 1)).toBeLessThan(2e-3);
        },
      ),
      { numRuns: 25, seed: 9 },
    );
  });

  it('refuses rows with an exposure outside (0, 1] or a negative cost', () => {
    expect(() => fitRiskModel(structure, [{ age: 50, sex: 'F', dx: [], nextYearCost: 10, exposure: 0 }])).toThrow(RiskModelFitError);
    expect(() => fitRiskModel(structure, [{ age: 50, sex: 'F', dx: [], nextYearCost: -1, exposure: 1 }])).toThrow(RiskModelFitError);
    expect(() => fitRiskModel(structure, [])).toThrow(RiskModelFitError);
  });
});

describe('predictive ratios (known answer)', () => {
  it('weights predicted cost by exposure and splits by decile, category and group', () => {
    const tables = bureauModelTables(definition, { BUREAU_F45_54: 1, BUREAU_HCC20: 1 });
    const rows: CostRow[] = [
      { age: 50, sex: 'F', dx: [], nextYearCost: 100, exposure: 1, group: 'X' },
      { age: 50, sex: 'F', dx: ['I10'], nextYearCost: 100, exposure: 0.5, group: 'X' },
      { age: 50, sex: 'F', dx: ['I10'], nextYearCost: 300, exposure: 1, group: 'Y' },
    ];
    const e = evaluateModel(compileRiskModel(tables), rows, 100);
    // Predicted: 100, 200 x 0.5, 200 = 400 against 500 actual.
    expect(e.pool.predictiveRatio).toBeCloseTo(0.8, 12);
    expect(e.byCategory).toHaveLength(1);
    expect(e.byCategory[0]!.label).toBe('HCC20 Hypertension');
    expect(e.byCategory[0]!.predictiveRatio).toBeCloseTo(300 / 400, 12);
    expect(e.byGroup.map((g) => [g.label, g.predictiveRatio])).toEqual([['X', 1], ['Y', 200 / 300]]);
    expect(e.byDecile.reduce((n, d) => n + d.members, 0)).toBe(3);
    expect(e.meanScore).toBeCloseTo((1 + 2 * 0.5 + 2) / 2.5, 12);
  });
});
