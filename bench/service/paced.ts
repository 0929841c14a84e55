/**
 * An open-loop load generator for latency at a given request rate, in the manner of wrk2: requests
 * are sent at scheduled times (Poisson arrivals at the offered rate, from a fixed seed) whether or
 * not earlier ones have been answered, and each latency is measured from the time the request was
 * due, so a stalled server is charged for every request it held up (no coordinated omission).
 *
 * autocannon's `overallRate` is not this: each connection sends its share of a second's requests
 * back to back at the start of every second and then waits, so "500 requests/s over 32
 * connections" is a saturating burst of 32 concurrent requests for half of every second.
 */
import http from 'node:http';
import { Rng } from '../../src/lib/random.ts';

export interface PacedOptions {
  url: string;
  method: 'POST' | 'GET';
  headers: Record<string, string>;
  /** The body of the i-th request. */
  body: (i: number) => string;
  /** Offered requests per second. */
  rate: number;
  seconds: number;
  /**
   * Seconds sent at the same rate before the measured ones, their answers not counted: the
   * client opens its sockets and both sides warm up (wrk2 likewise leaves its first seconds out).
   */
  warmupSeconds?: number;
  /** Keep-alive sockets the client may open (a request waits for one only past this many in flight). */
  maxSockets?: number;
  seed?: number;
}

export interface PacedResult {
  sent: number;
  /** Answers with a 2xx status. */
  ok: number;
  /** Requests answered per second over the run (from the first due time to the last answer). */
  achievedRate: number;
  /** Milliseconds from each request's due time to its last response byte. */
  latency: { p50: number; p90: number; p99: number; max: number };
  statusCounts: Record<string, number>;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

export async function runPaced(options: PacedOptions): Promise<PacedResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 256 });
  const target = new URL(options.url);
  const rng = new Rng(options.seed ?? 1);
  const send = (body: string) =>
    new Promise<number>((resolve, reject) => {
      const request = http.request(
        {
          agent,
          hostname: target.hostname,
          port: target.port,
          path: `${target.pathname}${target.search}`,
          method: options.method,
          headers: { ...options.headers, 'content-length': String(Buffer.byteLength(body)) },
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(body);
    });

  const warmup = Math.round(options.rate * (options.warmupSeconds ?? 0));
  const total = Math.round(options.rate * options.seconds);
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  const inFlight: Promise<void>[] = [];
  let start = performance.now() + 20;
  let due = start;
  let lastAnswer = start;
  try {
    for (let i = 0; i < warmup + total; i++) {
      const wait = due - performance.now();
      // Timers fire late by up to a millisecond or so; requests due meanwhile go out together and
      // are still charged from their own due times.
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      const dueAt = due;
      due += (-Math.log(1 - rng.next()) * 1000) / options.rate;
      if (i < warmup) {
        inFlight.push(send(options.body(i)).then(() => undefined, () => undefined));
        continue;
      }
      if (i === warmup) start = lastAnswer = dueAt;
      inFlight.push(
        send(options.body(i)).then(
          (status) => {
            lastAnswer = performance.now();
            latencies.push(lastAnswer - dueAt);
            statusCounts[status] = (statusCounts[status] ?? 0) + 1;
          },
          () => {
            statusCounts.error = (statusCounts.error ?? 0) + 1;
          },
        ),
      );
    }
    await Promise.all(inFlight);
  } finally {
    agent.destroy();
  }
  latencies.sort((a, b) => a - b);
  const ok = Object.entries(statusCounts).reduce((n, [status, count]) => (status.startsWith('2') ? n + count : n), 0);
  return {
    sent: total,
    ok,
    achievedRate: latencies.length / ((lastAnswer - start) / 1000),
    latency: { p50: quantile(latencies, 0.5), p90: quantile(latencies, 0.9), p99: quantile(latencies, 0.99), max: latencies.at(-1) ?? Number.NaN },
    statusCounts,
  };
}
