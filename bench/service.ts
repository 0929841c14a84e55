/**
 * Scoring service speed (Stratum issue 4): the real app on 127.0.0.1, on both engines in turn:
 * its store in memory (PGlite), then in a throw-away schema (dropped afterwards) of the PostgreSQL
 * at STRATUM_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test, the tests' database).
 * When that PostgreSQL cannot be reached, its half is skipped with a line saying so;
 * STRATUM_BENCH_PG_URL=off skips it on purpose.
 *
 * - Single-member `POST /v1/score`: throughput (autocannon, 16 connections, as fast as answered;
 *   target 500 requests/s) and p99 latency at 500 requests/s (target < 20 ms), offered open loop
 *   with Poisson arrivals and measured from each request's due time (bench/service/paced.ts says
 *   why autocannon's own rate limit does not measure this). Each request names another member,
 *   cycling through the loaded population, so no answer is cached.
 * - `POST /v1/score/batch` with 10,000 ids (1,000 when quick): members scored per second, median
 *   of 3 calls (2 quick); target >= 20,000 members/s.
 * - `GET /v1/institutions/:id/high-risk-patients?limit=5000`: median of 7 calls (5 quick); target
 *   < 50 ms. The institution's 5,000 list rows are synthetic `member_latest_score` rows inserted
 *   by the fixture, with summaries copied from real scores (no population of ~25 institutions
 *   gives one clinic 5,000 members at a size that loads in a benchmark).
 *
 * The server runs in a child process (bench/service/server-child.ts) so autocannon's client does
 * not share its event loop; on 2 cores they still share the machine, so every figure notes the
 * load average. Population: 10,000 generated members (2,000 quick), logistic models for every
 * task trained on them first (about 2 minutes of set-up at full size).
 */
import { loadavg } from 'node:os';
import { postgresUnreachable, redactedUrl } from '../src/store/database.ts';
import { benchPostgresUrl } from './postgres-fixture.ts';
import { BENCH_AS_OF } from './service/fixture.ts';
import { median, runAutocannon, startServerProcess, timeCall } from './service/load.ts';
import { runPaced } from './service/paced.ts';
import type { BenchResult, BenchRun } from './types.ts';

const TARGET_SCORE_RPS = 500;
const TARGET_SCORE_P99_MS = 20;
const TARGET_BATCH_MEMBERS_PER_S = 20_000;
const TARGET_LIST_MS = 50;
const LIST_MEMBERS = 5_000;


const load = () => `load average ${loadavg()[0]!.toFixed(2)} on 2 cores`;

export const run: BenchRun = async ({ quick }) => {
  const results = await runEngine(quick, undefined);
  const pgUrl = process.env.STRATUM_BENCH_PG_URL ?? benchPostgresUrl();
  const shown = redactedUrl(pgUrl);
  if (pgUrl === 'off' || pgUrl === '') console.log('[service] PostgreSQL half skipped (STRATUM_BENCH_PG_URL=off)');
  else {
    const reason = await postgresUnreachable(pgUrl);
    if (reason !== undefined) console.log(`[service] PostgreSQL half skipped: ${shown} is unreachable (${reason})`);
    else results.push(...(await runEngine(quick, pgUrl)));
  }
  return results;
};

/** Every figure on one engine: PGlite without `pgUrl`, that PostgreSQL with it. */
async function runEngine(quick: boolean, pgUrl: string | undefined): Promise<BenchResult[]> {
  const members = quick ? 2_000 : 10_000;
  const batchSize = quick ? 1_000 : 10_000;
  const seconds = quick ? 3 : 10;
  const server = await startServerProcess({ members, listMembers: LIST_MEMBERS, ...(pgUrl ? { pgUrl } : {}) });
  const { url, analystKey, memberIds, listInstitution, engine } = server.info;
  const headers = { authorization: `Bearer ${analystKey}`, 'content-type': 'application/json' };
  const results: BenchResult[] = [];
  try {
    let next = 0;
    const scoreRequests = [
      {
        setupRequest: (request: { body?: string }) => ({ ...request, body: JSON.stringify({ member_id: memberIds[next++ % memberIds.length], as_of: BENCH_AS_OF }) }),
      },
    ];
    const scoreOptions = { url: `${url}/v1/score`, method: 'POST', headers, requests: scoreRequests };

    // Warm-up: JIT, prepared statements and caches, outside every measurement.
    await runAutocannon({ ...scoreOptions, connections: 4, duration: 2 });

    const throughput = await runAutocannon({ ...scoreOptions, connections: 16, duration: seconds });
    const ok = throughput.requests.total - throughput.non2xx;
    if (ok === 0) throw new Error(`POST /v1/score answered no 2xx (status counts ${JSON.stringify(throughput.statusCodeStats)})`);
    results.push({
      name: `POST /v1/score throughput (${engine}, ${members.toLocaleString('en-US')} members, 16 connections, ${seconds} s)`,
      value: ok / throughput.duration,
      unit: 'requests/s',
      target: TARGET_SCORE_RPS,
      higherIsBetter: true,
      note: `mean latency ${throughput.latency.average.toFixed(1)} ms; non-2xx ${throughput.non2xx}, errors ${throughput.errors}; ${load()}`,
    });

    // Latency at the target rate, open loop (see bench/service/paced.ts): each request names the
    // next member, as above, and is charged from the moment it was due. Its first 2 s, at the same
    // rate, are not measured: the client opens its sockets meanwhile.
    const paced = await runPaced({
      url: `${url}/v1/score`,
      method: 'POST',
      headers,
      body: () => JSON.stringify({ member_id: memberIds[next++ % memberIds.length], as_of: BENCH_AS_OF }),
      rate: TARGET_SCORE_RPS,
      seconds,
      warmupSeconds: 2,
    });
    if (paced.ok === 0) throw new Error(`POST /v1/score answered no 2xx at an offered rate (status counts ${JSON.stringify(paced.statusCounts)})`);
    results.push({
      name: `POST /v1/score p99 latency at ${TARGET_SCORE_RPS} requests/s, Poisson arrivals (${engine})`,
      value: paced.latency.p99,
      unit: 'ms',
      target: TARGET_SCORE_P99_MS,
      higherIsBetter: false,
      note: `${paced.sent} requests, achieved ${paced.achievedRate.toFixed(0)} requests/s; p50 ${paced.latency.p50.toFixed(1)} ms, p90 ${paced.latency.p90.toFixed(1)} ms, max ${paced.latency.max.toFixed(1)} ms; non-2xx ${paced.sent - paced.ok}; ${load()}`,
    });

    const ids = Array.from({ length: batchSize }, (_, i) => memberIds[i % memberIds.length]!);
    const batchBody = JSON.stringify({ member_ids: ids, as_of: BENCH_AS_OF });
    const batchTimes: number[] = [];
    let batchBytes = 0;
    for (let i = 0; i < (quick ? 2 : 3); i++) {
      const call = await timeCall(`${url}/v1/score/batch`, { method: 'POST', headers, body: batchBody });
      if (call.status !== 200) throw new Error(`POST /v1/score/batch answered ${call.status}: ${call.body.slice(0, 300)}`);
      const scored = (JSON.parse(call.body) as { results: unknown[] }).results.length;
      if (scored !== new Set(ids).size) throw new Error(`POST /v1/score/batch scored ${scored} of ${new Set(ids).size} members`);
      batchTimes.push(call.ms);
      batchBytes = call.bytes;
    }
    const batchMs = median(batchTimes);
    results.push({
      name: `POST /v1/score/batch, ${batchSize.toLocaleString('en-US')} ids (${engine})`,
      value: batchSize / (batchMs / 1000),
      unit: 'members/s',
      target: TARGET_BATCH_MEMBERS_PER_S,
      higherIsBetter: true,
      note: `median ${(batchMs / 1000).toFixed(2)} s per call of ${batchTimes.length}; answer ${(batchBytes / 1e6).toFixed(1)} MB; ${load()}`,
    });

    const listUrl = `${url}/v1/institutions/${listInstitution}/high-risk-patients?limit=${LIST_MEMBERS}`;
    const listTimes: number[] = [];
    let listBytes = 0;
    for (let i = 0; i < (quick ? 6 : 8); i++) {
      const call = await timeCall(listUrl, { headers: { authorization: headers.authorization } });
      if (call.status !== 200) throw new Error(`the clinic list answered ${call.status}: ${call.body.slice(0, 300)}`);
      const items = (JSON.parse(call.body) as { items: unknown[] }).items.length;
      if (items !== LIST_MEMBERS) throw new Error(`the clinic list returned ${items} of ${LIST_MEMBERS} members`);
      // The first call warms up and is not counted.
      if (i > 0) listTimes.push(call.ms);
      listBytes = call.bytes;
    }
    results.push({
      name: `GET high-risk-patients, ${LIST_MEMBERS.toLocaleString('en-US')}-member clinic list (${engine})`,
      value: median(listTimes),
      unit: 'ms',
      target: TARGET_LIST_MS,
      higherIsBetter: false,
      note: `median of ${listTimes.length} calls (min ${Math.min(...listTimes).toFixed(1)}, max ${Math.max(...listTimes).toFixed(1)}); answer ${(listBytes / 1e6).toFixed(2)} MB; synthetic list rows; ${load()}`,
    });
    return results;
  } finally {
    await server.stop();
  }
}
