/**
 * The institutions members are enrolled with, and the ground truth about them. Each region has
 * one county hospital (`secondary`) and four community health centres / township clinics
 * (`primary`). Every institution gets a true quality effect on the log-odds of control (random
 * effect, SD `qualitySd`), and a case-mix severity shift (the mean severity of its patients)
 * that is positively correlated with it: patients with advanced, complicated disease are referred
 * to, or seek out, the institutions known to manage it well, and the county hospitals see
 * sicker patients than the community centres. Raw control rates therefore understate the good
 * institutions. The shift reaches the record (member-simulation.ts: longer-standing disease, more
 * complications, higher readings), so risk adjustment has something to find; a part of it that
 * has nothing to do with quality (the normal term) makes case mix differ for other reasons too.
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
  /**
   * Severity shift per SD of quality effect. With the shift's own noise (SD 0.35) the correlation
   * of shift and quality is ~0.9 over the institutions: strong enough that raw rates
   * mislead.
   */
  caseMixOnQuality: number;
}

export const DEFAULT_INSTITUTION_OPTIONS: InstitutionOptions = { qualitySd: 0.5, caseMixOnQuality: 0.7 };

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
      const severityShift = options.caseMixOnQuality * z + rng.normal(0, 0.35) + (level === 'secondary' ? 0.3 : 0);
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
