/**
 * The institutions members are enrolled with, and the ground truth about them. Each region has
 * one county hospital (`secondary`) and four community health centres / township clinics
 * (`primary`). Every institution gets a true quality effect on the log-odds of control (random
 * effect, SD `qualitySd`), and a case-mix severity shift that is positively correlated with it:
 * good institutions tend to see sicker patients, so raw control rates understate them and risk
 * adjustment has something to find.
 */
import type { Rng } from '../lib/random.ts';
import { DEPARTMENTS, REGIONS } from './reference.ts';

export interface InstitutionPlan {
  /** Position in the institution list (0-based). */
  index: number;
  id: string;
  name: string;
  level: 'primary' | 'secondary';
  region: string;
  regionIndex: number;
  rurality: number;
  /** True quality effect on the log-odds of control (BP < 140/90, HbA1c < 7%). */
  qualityEffect: number;
  /** Mean severity (standard-normal scale) of this institution's chronic patients. */
  severityShift: number;
  /** Practitioner ids and departments. */
  practitioners: { id: string; department: string }[];
  /** Indices of family doctors among `practitioners` (those patients sign up with). */
  familyDoctors: number[];
}

export interface InstitutionOptions {
  qualitySd: number;
  /** Correlation-like weight of severity shift on the (standardised) quality effect. */
  caseMixOnQuality: number;
}

export const DEFAULT_INSTITUTION_OPTIONS: InstitutionOptions = { qualitySd: 0.5, caseMixOnQuality: 0.45 };

/** Build the institutions of all regions (40 with the default eight regions). */
export function planInstitutions(rng: Rng, options: InstitutionOptions = DEFAULT_INSTITUTION_OPTIONS): InstitutionPlan[] {
  const out: InstitutionPlan[] = [];
  REGIONS.forEach((region, regionIndex) => {
    for (let k = 0; k < 5; k++) {
      const level = k === 0 ? 'secondary' : 'primary';
      const index = out.length;
      const id = `I${String(index + 1).padStart(3, '0')}`;
      const name =
        level === 'secondary'
          ? `${region.name} County People's Hospital`
          : region.rurality > 0.5
            ? `${region.name} Township Health Centre ${k}`
            : `${region.name} Community Health Centre ${k}`;
      const qualityEffect = rng.normal(0, options.qualitySd);
      const z = qualityEffect / options.qualitySd;
      const severityShift = options.caseMixOnQuality * z + rng.normal(0, 0.25) + (level === 'secondary' ? 0.3 : 0);
      const departments = DEPARTMENTS[level];
      const count = level === 'secondary' ? 30 : rng.int(6, 12);
      const practitioners: { id: string; department: string }[] = [];
      const familyDoctors: number[] = [];
      for (let p = 0; p < count; p++) {
        const department = departments[p % departments.length]!;
        practitioners.push({ id: `${id}-P${p + 1}`, department });
        if (department === 'general-practice' || department === 'internal-medicine') familyDoctors.push(p);
      }
      out.push({ index, id, name, level, region: region.name, regionIndex, rurality: region.rurality, qualityEffect, severityShift, practitioners, familyDoctors });
    }
  });
  return out;
}
