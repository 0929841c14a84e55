/**
 * The whole population as a sequence of chunks: reference rows (institutions, practitioners)
 * first, then members in number order, each simulated independently from its own seeded stream.
 * Pure: text goes into `RowBuffers`; the file writer (`population-files.ts`) drains them.
 */
import { Rng } from '../lib/random.ts';
import { csvField } from './csv.ts';
import { DEFAULT_INSTITUTION_OPTIONS, planInstitutions, type InstitutionPlan } from './institutions.ts';
import { assertColumnsMatchContracts, simulateMember, simulationSettings, type CaseMixTally, type SimulationSettings } from './member-simulation.ts';
import { FILE_INDEX, type RowBuffers } from './rows.ts';

/** Bumped whenever the same seed would produce different bytes. */
export const GENERATOR_VERSION = '1.3.0';

export interface PopulationOptions {
  members: number;
  seed: number;
  /** Share of rows with an injected defect; 0 for clean data. */
  defectRate: number;
  startYear: number;
  endYear: number;
}

export const DEFAULT_POPULATION_OPTIONS: PopulationOptions = { members: 50_000, seed: 42, defectRate: 0, startYear: 2022, endYear: 2026 };

/** Thrown for options the generator cannot honour. */
export class GeneratorOptionsError extends Error {
  readonly code = 'GENERATOR_OPTIONS';
  constructor(message: string) {
    super(message);
    this.name = 'GeneratorOptionsError';
  }
}

export function checkOptions(o: PopulationOptions): void {
  if (!Number.isInteger(o.members) || o.members < 1) throw new GeneratorOptionsError(`members must be a positive whole number, got ${o.members}`);
  if (!Number.isInteger(o.seed)) throw new GeneratorOptionsError(`seed must be a whole number, got ${o.seed}`);
  if (!(o.defectRate >= 0 && o.defectRate <= 0.2)) throw new GeneratorOptionsError(`defect rate must be between 0 and 0.2, got ${o.defectRate}`);
  if (!Number.isInteger(o.startYear) || !Number.isInteger(o.endYear) || o.endYear - o.startYear < 3 || o.startYear < 1950 || o.endYear > 2090)
    throw new GeneratorOptionsError(`the window must span at least four calendar years (onset outcomes need a 3-year horizon after the first year), got ${o.startYear}-${o.endYear}`);
}

/** Ground truth about one institution (truth/institutions.json). */
export interface InstitutionTruth {
  institution_id: string;
  name: string;
  level: 'primary' | 'secondary';
  region: string;
  /** True effect on the log-odds of control (BP < 140/90, HbA1c < 7%). */
  quality_effect_logodds: number;
  rurality: number;
  case_mix: { members: number; mean_age: number; chronic_share: number; mean_chronic_severity: number | null; severity_shift: number };
}

export class PopulationGenerator {
  readonly institutions: InstitutionPlan[];
  readonly settings: SimulationSettings;
  private readonly tallies: CaseMixTally[];

  constructor(readonly options: PopulationOptions) {
    checkOptions(options);
    assertColumnsMatchContracts();
    this.institutions = planInstitutions(new Rng(`institutions:${options.seed}`), DEFAULT_INSTITUTION_OPTIONS);
    this.settings = simulationSettings(options.seed, options.defectRate, options.startYear, options.endYear, this.institutions);
    this.tallies = emptyTallies(this.institutions.length);
  }

  /** Institution and practitioner rows (reference data: never given defects). */
  writeReference(out: RowBuffers): void {
    for (const inst of this.institutions) {
      out.add(FILE_INDEX.institution, inst.id + ',' + csvField(inst.name) + ',' + inst.level + ',' + inst.region + '\n');
      for (const p of inst.practitioners) {
        out.add(FILE_INDEX.practitioner, p.id + ',' + inst.id + ',' + p.department + '\n');
      }
    }
  }

  /**
   * Simulate members `from`..`to` (1-based, inclusive) into the buffers and return the chunk's
   * case-mix tallies. Tallies are kept per chunk and added up in chunk order (`addCaseMix`) so the
   * floating-point sums, and so the truth file's bytes, do not depend on how many threads ran.
   */
  simulateChunk(from: number, to: number, out: RowBuffers): CaseMixTally[] {
    const tallies = emptyTallies(this.institutions.length);
    for (let n = from; n <= to; n++) simulateMember(this.settings, n, out, tallies);
    return tallies;
  }

  /** Add one chunk's tallies (chunks must come in member order). */
  addCaseMix(chunk: readonly CaseMixTally[]): void {
    chunk.forEach((c, i) => {
      const t = this.tallies[i]!;
      t.members += c.members;
      t.ageSum += c.ageSum;
      t.chronic += c.chronic;
      t.severitySum += c.severitySum;
      t.rural += c.rural;
    });
  }

  /** Truth about institutions, complete once every member has been simulated. */
  institutionTruth(): InstitutionTruth[] {
    return this.institutions.map((inst, i) => {
      const t = this.tallies[i]!;
      return {
        institution_id: inst.id,
        name: inst.name,
        level: inst.level,
        region: inst.region,
        quality_effect_logodds: round(inst.qualityEffect, 4),
        rurality: inst.rurality,
        case_mix: {
          members: t.members,
          mean_age: t.members ? round(t.ageSum / t.members, 2) : 0,
          chronic_share: t.members ? round(t.chronic / t.members, 4) : 0,
          mean_chronic_severity: t.chronic ? round(t.severitySum / t.chronic, 3) : null,
          severity_shift: round(inst.severityShift, 3),
        },
      };
    });
  }
}

function emptyTallies(count: number): CaseMixTally[] {
  return Array.from({ length: count }, () => ({ members: 0, ageSum: 0, chronic: 0, severitySum: 0, rural: 0 }));
}

function round(x: number, places: number): number {
  const f = 10 ** places;
  return Math.round(x * f) / f;
}
