/**
 * The official eCQM test decks (MADiE bundles, CMS122FHIR/CMS165FHIR v0.5.000, MP 2026): every
 * patient must land in its expected populations, in BOTH modes (no deck patient depends on the
 * narrative/computable difference; our own fixtures show that difference).
 * Skips with a message when the shared data folder is missing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEnv } from '../../../src/config/env.ts';
import { defaultPolicy } from '../../../src/config/policy.ts';
import { importBundles, loadValueSets } from '../../../src/fhir/index.ts';
import { cms122Evaluator, cms165Evaluator } from '../../../src/performance/measures/index.ts';

const root = path.resolve(process.cwd(), loadEnv().STRATUM_SHARED_DATA, 'ecqm');
const present = existsSync(root);
if (!present) console.warn(`[measures] skipping deck tests: ${root} not found (set STRATUM_SHARED_DATA)`);

const DECKS = { cms122: 'CMS122FHIRDiabetesAssessGreaterThan9Percent', cms165: 'CMS165FHIRControllingHighBloodPressure' } as const;
/** Deck patients whose Patient.gender is 'unknown': contract Member.sex (M/F) cannot hold them. */

interface Expected {
  patientId: string;
  title: string;
  expected: Record<string, number>;
}

function loadDeck(measure: keyof typeof DECKS) {
  const dir = path.join(root, DECKS[measure]);
  const bundles = readdirSync(path.join(dir, 'patients')).map((f) => JSON.parse(readFileSync(path.join(dir, 'patients', f), 'utf8')) as unknown);
  return {
    dir,
    imported: importBundles(bundles),
    valueSets: loadValueSets(JSON.parse(readFileSync(path.join(dir, 'valuesets.json'), 'utf8')) as unknown).valueSets,
    expected: JSON.parse(readFileSync(path.join(dir, 'expected-populations.json'), 'utf8')) as Expected[],
  };
}

describe.skipIf(!present)('official eCQM decks', () => {
  for (const measure of ['cms122', 'cms165'] as const) {
    for (const mode of ['computable', 'narrative'] as const) {
      it(`${measure} (${mode}): every importable patient lands in its expected populations`, () => {
        const deck = loadDeck(measure);
        const evaluate = measure === 'cms122' ? cms122Evaluator(deck.valueSets, 2026, defaultPolicy().control, { mode }) : cms165Evaluator(deck.valueSets, 2026, { mode });
        const byId = new Map(deck.imported.patients.map((p) => [p.member.member_id, p]));
        const mismatches: string[] = [];
        const unmatched: string[] = [];
        for (const row of deck.expected) {
          const p = byId.get(row.patientId);
          if (!p) {
            unmatched.push(row.patientId);
            continue;
          }
          const got = evaluate(p);
          if (JSON.stringify(got.populations) !== JSON.stringify(row.expected)) mismatches.push(`${row.title}: got ${JSON.stringify(got.populations)} (${got.reasons.join('; ')})`);
        }
        expect(mismatches).toEqual([]);
        // Every deck patient is imported (gender unknown is carried as sex 'U').
        expect(unmatched).toEqual([]);
      });
    }
  }

  it('the CLI prints one JSON row per patient with the four populations and reasons', () => {
    const dir = path.join(root, DECKS.cms122);
    const out = execFileSync(
      process.execPath,
      ['src/cli/bin.mjs', 'measure', '--measure', 'cms122', '--fhir', path.join(dir, 'patients'), '--valuesets', path.join(dir, 'valuesets.json'), '--period', '2026', '--mode', 'computable', '--json'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const rows = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(56);
    const age76 = rows.find((r) => r.patientId === '1fa14a28-ba17-4a63-a6d0-8b5e8bd3a2ba' || String(r.patientId).startsWith('1fa14a28'));
    expect(age76).toMatchObject({ 'initial-population': 0, denominator: 0, 'denominator-exclusion': 0, numerator: 0 });
    expect((age76!.reasons as string[])[0]).toMatch(/^ipp.age-out-of-range: age 76/);
    const gmi = rows.find((r) => String(r.patientId).startsWith('6630d394'));
    expect(gmi).toMatchObject({ 'initial-population': 1, denominator: 1, 'denominator-exclusion': 0, numerator: 1, 'hba1c-below-7': 0, 'hba1c-below-8': 0 });
  });

  it('the CLI refuses an unknown measure with a readable message', () => {
    const dir = path.join(root, DECKS.cms122);
    let stderr = '';
    try {
      execFileSync(process.execPath, ['src/cli/bin.mjs', 'measure', '--measure', 'cms999', '--fhir', dir, '--valuesets', 'x'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      stderr = String((err as { stderr?: string }).stderr);
    }
    expect(stderr).toMatch(/--measure must be cms122 or cms165/);
  });
});
