import { beforeAll, expect, it } from 'vitest';
import { loadPopulation } from '../../src/ingest/loader.ts';
import { fetchMemberRecords, memberIdPages } from '../../src/store/members.ts';
import { describeEachEngine } from '../helpers/engines.ts';
import { writeFixturePopulation } from '../ingest/fixture.ts';

describeEachEngine('member records from the store', (getDb) => {
  beforeAll(async () => {
    await loadPopulation(getDb(), { from: await writeFixturePopulation() });
  });

  it('returns contract records with dates and instants in their text forms', async () => {
    const records = await fetchMemberRecords(getDb(), ['M1', 'M404']);
    expect([...records.keys()]).toEqual(['M1']);
    const r = records.get('M1')!;
    expect(r.member).toMatchObject({ member_id: 'M1', birth_date: '1958-04-02', enrolled_to: null });
    expect(r.observations.map((o) => o.observation_id)).toEqual(expect.arrayContaining(['O_OK', 'O_CONV', 'O_DUP']));
    const conv = r.observations.find((o) => o.observation_id === 'O_CONV')!;
    expect(conv).toMatchObject({ value: 7, unit: '%', effective_time: '2025-06-01T01:00:00Z' });
    expect(r.conditions[0]).toMatchObject({ condition_id: 'C_OK', onset_date: '2019-05-01', abatement_date: null });
  });

  it('pages through every member in id order', async () => {
    const pages: string[][] = [];
    for await (const p of memberIdPages(getDb(), 1)) pages.push(p);
    expect(pages).toEqual([['M1'], ['M2']]);
  });
});
