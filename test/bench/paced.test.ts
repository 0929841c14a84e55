/**
 * The service benchmark's open-loop generator: it sends at the offered rate whether or not
 * answers have come back, and charges a stalled server for every request it held up.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runPaced } from '../../bench/service/paced.ts';

let server: http.Server;
let url: string;
/** While set, the server holds every answer until this time. */
let stallUntil = 0;
let received = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    received++;
    req.resume();
    const answer = () => {
      res.statusCode = req.url === '/fail' ? 503 : 200;
      res.end('ok');
    };
    const wait = stallUntil - performance.now();
    if (wait > 0) setTimeout(answer, wait);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

it('sends the offered number of requests and counts their statuses', async () => {
  received = 0;
  const result = await runPaced({ url: `${url}/fail`, method: 'POST', headers: {}, body: () => '{}', rate: 200, seconds: 0.5, seed: 3 });
  expect(result.sent).toBe(100);
  expect(received).toBe(100);
  expect(result.ok).toBe(0);
  expect(result.statusCounts).toEqual({ 503: 100 });
});

it('charges requests from their due time, so a stall shows in the tail', async () => {
  const quiet = await runPaced({ url, method: 'POST', headers: {}, body: () => '{}', rate: 200, seconds: 0.5, seed: 4 });
  expect(quiet.ok).toBe(100);
  // A 150 ms stall at the start: the requests due during it wait for its end. A closed-loop
  // client would send fewer requests meanwhile and report them as fast.
  stallUntil = performance.now() + 170;
  const stalled = await runPaced({ url, method: 'POST', headers: {}, body: () => '{}', rate: 200, seconds: 0.5, seed: 4 });
  stallUntil = 0;
  expect(stalled.ok).toBe(100);
  expect(stalled.latency.max).toBeGreaterThan(100);
  expect(stalled.latency.p90).toBeGreaterThan(quiet.latency.p90);
  expect(stalled.latency.p99).toBeGreaterThan(50);
});

it('leaves the warm-up out: its requests are sent, not counted, and a stall within it is not charged', async () => {
  received = 0;
  stallUntil = performance.now() + 300;
  const warmed = await runPaced({ url, method: 'POST', headers: {}, body: () => '{}', rate: 200, seconds: 0.5, warmupSeconds: 1, seed: 5 });
  stallUntil = 0;
  expect(received).toBe(300);
  expect(warmed.sent).toBe(100);
  expect(warmed.ok).toBe(100);
  // The stall held up only warm-up requests (the first 300 ms of a 1 s warm-up); charged, the
  // first measured ones would show most of it.
  expect(warmed.latency.max).toBeLessThan(200);
});
