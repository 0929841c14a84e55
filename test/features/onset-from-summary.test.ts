import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../src/config/policy.ts';
import { summarise } from '../../src/features/clinical-summary.ts';
import { onsetFeatures, onsetFeaturesFromSummary } from '../../src/features/definitions.ts';
import { recordAsOf } from '../../src/features/member-record.ts';
import { sampleRecord } from './record-fixture.ts';

describe('onset features from a summary serving already made', () => {
  it('are the vector the onset feature sets compute, at every date', () => {
    const policy = defaultPolicy();
    for (const day of ['2019-06-01', '2024-01-01', '2025-06-01', '2027-06-01']) {
      // A fresh record each time: onset features cache per record object.
      const fromSummary = onsetFeaturesFromSummary(sampleRecord(), summarise(recordAsOf(sampleRecord(), day), policy));
      for (const condition of ['hypertension', 'diabetes', 'chd'] as const) {
        const set = onsetFeatures(condition);
        const computed = set.compute(sampleRecord(), { indexDay: day }, policy);
        expect(fromSummary).toHaveLength(set.features.length);
        expect(Array.from(fromSummary)).toEqual(Array.from(computed));
      }
    }
  });
});
