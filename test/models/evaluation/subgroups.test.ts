import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/lib/random.ts';
import { sigmoid } from '../../../src/models/evaluation/logistic-recalibration.ts';
import { evaluateSubgroups } from '../../../src/models/evaluation/subgroups.ts';

describe('evaluateSubgroups', () => {
  // Group "good": calibrated, informative scores. Group "noise": scores unrelated to outcome.
  // Group "under": informative but risk underestimated by a fixed logit shift.
  const rng = new Rng(21);
  const p: number[] = [];
  const y: number[] = [];
  const groups: string[] = [];
  for (let i = 0; i < 9000; i++) {
    const group = i % 3 === 0 ? 'good' : i % 3 === 1 ? 'noise' : 'under';
    const lp = rng.normal(-1, 1.2);
    const truth = group === 'under' ? lp + 1 : lp;
    const outcome = rng.bernoulli(sigmoid(truth)) ? 1 : 0;
    const predicted = group === 'noise' ? sigmoid(rng.normal(-1, 1.2)) : sigmoid(lp);
    p.push(predicted);
    y.push(outcome);
    groups.push(group);
  }
  const result = evaluateSubgroups(p, y, groups, { aucGap: 0.05, calibrationInTheLargeGap: 0.02 });

  it('reports every group sorted by key with its counts', () => {
    expect(result.groups.map((g) => g.key)).toEqual(['good', 'noise', 'under']);
    expect(result.groups.reduce((s, g) => s + g.n, 0)).toBe(9000);
    expect(result.overall.n).toBe(9000);
  });

  it('flags the group whose AUC falls short of the overall one', () => {
    const noise = result.groups.find((g) => g.key === 'noise')!;
    expect(noise.auc).toBeGreaterThan(0.45);
    expect(noise.auc).toBeLessThan(0.55);
    expect(noise.flags).toContain('AUC_GAP');
    expect(noise.aucGap!).toBeLessThan(-0.05);
  });

  it('flags the group whose risk is underestimated', () => {
    const under = result.groups.find((g) => g.key === 'under')!;
    expect(under.calibrationInTheLarge).toBeGreaterThan(0.1);
    expect(under.flags).toContain('CALIBRATION_IN_THE_LARGE_GAP');
  });

  it('marks tiny and single-class groups instead of gap-flagging them', () => {
    const r = evaluateSubgroups([0.1, 0.2, 0.8, 0.9, 0.5], [0, 0, 1, 1, 1], ['a', 'a', 'a', 'a', 'b'], { minRows: 3 });
    const b = r.groups.find((g) => g.key === 'b')!;
    expect(b.auc).toBeNull();
    expect(b.flags).toEqual(['SINGLE_CLASS', 'TOO_SMALL']);
    expect(r.groups.find((g) => g.key === 'a')!.auc).toBe(1);
  });
});
