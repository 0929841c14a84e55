/**
 * A seeded stand-in for the population generator (not yet available when this benchmark was
 * written): writes `member.csv` and `observation.csv` with the v1 contract headers and roughly
 * the generator's shape (about 20 observations per member, BP as systolic/diastolic panels,
 * HbA1c, BMI, glucose, LDL; a few cancelled or value-less rows; times spread either side of
 * the 2025-01-01 index date). Only the columns' shape matters for the data-frame measurement.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { LOINC } from '../../data-contracts/v1/codes.ts';
import { Rng } from '../../src/lib/random.ts';

/** What was written, for rows/s figures. */
export interface SynthSummary {
  members: number;
  observations: number;
  bytes: number;
}

const MEMBER_HEADER = 'member_id,birth_date,sex,region,insurance_scheme,enrolled_from,enrolled_to,deceased_date';
const OBSERVATION_HEADER =
  'observation_id,member_id,code_system,code,value,unit,value_code_system,value_code,effective_time,status,setting,encounter_id,panel_id';

const DAY_MS = 86_400_000;
const SPAN_START = Date.UTC(2022, 0, 1);
const SPAN_DAYS = 3 * 365 + 181; // through mid-2025, so some readings fall after the index date

const LABS = [
  { code: LOINC.hba1c, unit: '%', mean: 6.3, sd: 1.2 },
  { code: LOINC.bmi, unit: 'kg/m2', mean: 24.5, sd: 3.5 },
  { code: LOINC.fastingGlucose, unit: 'mmol/L', mean: 6.0, sd: 1.4 },
  { code: LOINC.ldl, unit: 'mmol/L', mean: 3.0, sd: 0.8 },
] as const;

class BufferedFile {
  private readonly fd: number;
  private parts: string[] = [];
  private pending = 0;
  bytes = 0;
  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }
  line(text: string): void {
    this.parts.push(text);
    this.pending += text.length + 1;
    if (this.pending > 4_000_000) this.flush();
  }
  flush(): void {
    if (this.parts.length === 0) return;
    const buf = Buffer.from(this.parts.join('\n') + '\n', 'utf8');
    writeSync(this.fd, buf);
    this.bytes += buf.length;
    this.parts = [];
    this.pending = 0;
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const isoTime = (ms: number) => new Date(ms).toISOString().slice(0, 19) + 'Z';
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Write `member.csv` and `observation.csv` for `members` members into `dir`, reproducibly for `seed`. */
export function writeSyntheticPopulation(dir: string, members: number, seed = 20250101): SynthSummary {
  mkdirSync(dir, { recursive: true });
  const rng = new Rng(seed);
  const memberFile = new BufferedFile(join(dir, 'member.csv'));
  const obsFile = new BufferedFile(join(dir, 'observation.csv'));
  // Headers are written as the rows below are laid out (the loader matches columns by name and
  // accepts a file without a contract field that is nullable, like effective_start).
  memberFile.line(MEMBER_HEADER);
  obsFile.line(OBSERVATION_HEADER);
  let obsSeq = 0;
  let panelSeq = 0;
  for (let m = 1; m <= members; m++) {
    const memberId = `M${pad(m, 8)}`;
    const birth = Date.UTC(1935, 0, 1) + rng.int(0, 80 * 365) * DAY_MS;
    const sex = rng.bernoulli(0.5) ? 'M' : 'F';
    const enrolled = Date.UTC(2015, 0, 1) + rng.int(0, 3000) * DAY_MS;
    memberFile.line(`${memberId},${isoDate(birth)},${sex},R${rng.int(1, 12)},${rng.bernoulli(0.6) ? 'UEBMI' : 'URRBMI'},${isoDate(enrolled)},,`);
    const baseSbp = rng.normal(132, 15);
    const baseA1c = rng.normal(6.3, 1.0);
    const target = Math.max(0, Math.round(rng.normal(20, 5)));
    let written = 0;
    while (written < target) {
      const when = SPAN_START + rng.int(0, SPAN_DAYS) * DAY_MS + rng.int(7 * 3600, 18 * 3600) * 1000;
      const time = isoTime(when);
      const encounterId = rng.bernoulli(0.7) ? `E${pad(m, 8)}${pad(written, 3)}` : '';
      const status = rng.bernoulli(0.03) ? (rng.bernoulli(0.5) ? 'cancelled' : 'entered-in-error') : 'final';
      const setting = rng.pick(['clinic', 'clinic', 'home-device', 'lab', 'inpatient'] as const);
      if (rng.bernoulli(0.5)) {
        // A BP reading is two rows sharing a panel id (the contract's panel_id rule).
        const panel = `P${pad(++panelSeq, 10)}`;
        const sbp = Math.round(rng.normal(baseSbp, 8));
        const dbp = Math.round(sbp * 0.62 + rng.normal(0, 5));
        obsFile.line(`O${pad(++obsSeq, 10)},${memberId},LOINC,${LOINC.systolic},${sbp},mm[Hg],,,${time},${status},${setting},${encounterId},${panel}`);
        obsFile.line(`O${pad(++obsSeq, 10)},${memberId},LOINC,${LOINC.diastolic},${dbp},mm[Hg],,,${time},${status},${setting},${encounterId},${panel}`);
        written += 2;
      } else {
        const lab = rng.pick(LABS);
        const mean = lab.code === LOINC.hba1c ? baseA1c : lab.mean;
        // A done-but-unresulted test has a null value (CMS122 counts it as poor control).
        const value = rng.bernoulli(0.02) ? '' : String(Math.round(rng.normal(mean, lab.sd * 0.4) * 10) / 10);
        obsFile.line(`O${pad(++obsSeq, 10)},${memberId},LOINC,${lab.code},${value},${value === '' ? '' : lab.unit},,,${time},${status},lab,${encounterId},`);
        written += 1;
      }
    }
  }
  memberFile.close();
  obsFile.close();
  return { members, observations: obsSeq, bytes: memberFile.bytes + obsFile.bytes };
}

// Run directly: `npx tsx bench/frames/synth.ts <members> <dir>`.
if (process.argv[1]?.endsWith('synth.ts')) {
  const members = Number(process.argv[2] ?? 1000);
  const dir = process.argv[3] ?? 'var/frames-bench';
  const started = performance.now();
  const summary = writeSyntheticPopulation(dir, members);
  console.log(JSON.stringify({ ...summary, ms: Math.round(performance.now() - started) }));
}
