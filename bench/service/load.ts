/**
 * The load generator's side of the service benchmark: start the server child process, drive
 * autocannon against it, and time single calls. autocannon ships no types, so the small part of
 * its programmatic API used here is typed locally.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FixtureInfo, FixtureOptions } from './fixture.ts';
import type { ChildMessage, ParentMessage } from './protocol.ts';

/** The percentiles autocannon reports for a histogram (milliseconds for latency). */
export interface Histogram {
  average: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface AutocannonResult {
  requests: Histogram & { total: number };
  latency: Histogram;
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats?: Record<string, { count: number }>;
}

interface RawRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  method?: string;
  headers?: Record<string, string>;
  requests?: { setupRequest: (request: RawRequest) => RawRequest }[];
  timeout?: number;
}

type Autocannon = (options: AutocannonOptions) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** Run one bounded autocannon pass (it stops after `duration` seconds). */
export function runAutocannon(options: AutocannonOptions): Promise<AutocannonResult> {
  return autocannon({ timeout: 30, ...options });
}

/** The server child process: its fixture and a way to stop it. */
export interface ServerProcess {
  info: FixtureInfo;
  stop(): Promise<void>;
}

/** Fork the server child; resolves once it answers `ready` (generation, load and training included). */
export function startServerProcess(options: FixtureOptions, timeoutMs = 20 * 60_000): Promise<ServerProcess> {
  const entry = path.join(import.meta.dirname, 'server-entry.mjs');
  const child: ChildProcess = fork(entry, [], {
    env: { ...process.env, SVCBENCH_FIXTURE: JSON.stringify(options) },
    // The benchmark prints nothing itself: the child's stdout goes nowhere, its errors to stderr.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise<ServerProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the benchmark server did not start within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`the benchmark server exited (code ${code}) before it was ready`));
    };
    child.once('exit', onExit);
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'failed') {
        clearTimeout(timer);
        child.off('exit', onExit);
        reject(new Error(`the benchmark server failed to start: ${message.message}`));
      } else if (message.type === 'ready') {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve({
          info: message.info,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
              child.once('exit', () => {
                clearTimeout(killer);
                done();
              });
              child.send({ type: 'stop' } satisfies ParentMessage);
            }),
        });
      }
    });
  });
}

/** Milliseconds one call takes, with its status and body size. */
export async function timeCall(url: string, init: RequestInit): Promise<{ ms: number; status: number; bytes: number; body: string }> {
  const started = performance.now();
  const response = await fetch(url, init);
  const body = await response.text();
  return { ms: performance.now() - started, status: response.status, bytes: Buffer.byteLength(body), body };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
