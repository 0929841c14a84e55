/** Rate limit, readiness, metrics registry and /metrics. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metrics, MetricError, MetricsRegistry } from '../../src/api/metrics.ts';
import { TokenBucketLimiter } from '../../src/api/rate-limit.ts';
import type { Readiness } from '../../src/api/system-routes.ts';
import { KEYS, request, startApp, testAuthConfig, type RunningApp } from './harness.ts';

describe('token bucket', () => {
  it('allows the burst, then refuses with Retry-After until refilled', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ ratePerSecond: 2, burst: 3 }, () => now);
    expect([1, 2, 3].map(() => limiter.take('p').allowed)).toEqual([true, true, true]);
    expect(limiter.take('p')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    // Another principal has its own bucket.
    expect(limiter.take('q').allowed).toBe(true);
    now = 500; // half a second refills one token at 2/s
    expect(limiter.take('p').allowed).toBe(true);
    expect(limiter.take('p').allowed).toBe(false);
  });

  it('rate 0 disables limiting', () => {
    const limiter = new TokenBucketLimiter({ ratePerSecond: 0, burst: 1 });
    expect(Array.from({ length: 50 }, () => limiter.take('p').allowed).every(Boolean)).toBe(true);
  });

  it('a slow refill gives a longer Retry-After', () => {
    const limiter = new TokenBucketLimiter({ ratePerSecond: 0.1, burst: 1 }, () => 0);
    limiter.take('p');
    expect(limiter.take('p')).toEqual({ allowed: false, retryAfterSeconds: 10 });
  });
});

describe('metrics registry', () => {
  it('renders counters, gauges and histograms in the exposition format', () => {
    const registry = new MetricsRegistry();
    const c = registry.counter({ name: 'x_total', help: 'things', labelNames: ['kind'] });
    c.inc({ kind: 'a"b' });
    c.inc({ kind: 'a"b' }, 2);
    registry.gauge({ name: 'g', help: 'level' }).set(undefined, 1.5);
    const h = registry.histogram({ name: 'h_seconds', help: 'latency', buckets: [0.1, 1] });
    h.observe(undefined, 0.05);
    h.observe(undefined, 0.5);
    h.observe(undefined, 3);
    expect(registry.render()).toBe(
      [
        '# HELP x_total things',
        '# TYPE x_total counter',
        'x_total{kind="a\\"b"} 3',
        '# HELP g level',
        '# TYPE g gauge',
        'g 1.5',
        '# HELP h_seconds latency',
        '# TYPE h_seconds histogram',
        'h_seconds_bucket{le="0.1"} 1',
        'h_seconds_bucket{le="1"} 2',
        'h_seconds_bucket{le="+Inf"} 3',
        'h_seconds_sum 3.55',
        'h_seconds_count 3',
        '',
      ].join('\n'),
    );
  });

  it('refuses wrong labels, a decreasing counter and a conflicting re-registration', () => {
    const registry = new MetricsRegistry();
    const c = registry.counter({ name: 'c_total', help: 'c', labelNames: ['a'] });
    expect(() => c.inc({ b: '1' })).toThrow(MetricError);
    expect(() => c.inc({ a: '1' }, -1)).toThrow(MetricError);
    expect(registry.counter({ name: 'c_total', help: 'c', labelNames: ['a'] })).toBe(c);
    expect(() => registry.gauge({ name: 'c_total', help: 'c', labelNames: ['a'] })).toThrow(MetricError);
  });

  it('model info keeps one version per model name', () => {
    const metrics = new Metrics();
    metrics.setModelVersion('readmission-rf', '3');
    metrics.setModelVersion('onset-nn', '1');
    metrics.setModelVersion('readmission-rf', '4');
    const text = metrics.render();
    expect(text).toContain('stratum_model_info{name="readmission-rf",version="4"} 1');
    expect(text).toContain('stratum_model_info{name="onset-nn",version="1"} 1');
    expect(text).not.toContain('version="3"');
  });
});

describe('through the app', () => {
  let app: RunningApp;
  beforeAll(async () => {
    let ready = true;
    app = await startApp({
      // A frozen clock: no refill during the test, so the 4th request is refused.
      rateLimit: { ratePerSecond: 1, burst: 3 },
      clock: () => 0,
      readiness: async (): Promise<Readiness> => (ready ? { ready: true, checks: { store: { ok: true } } } : { ready: false, checks: { store: { ok: true }, model: { ok: false, detail: 'no champion model' } } }),
    });
    setReady = (value) => {
      ready = value;
    };
  });
  let setReady: (value: boolean) => void = () => undefined;
  afterAll(async () => {
    await app.close();
  });

  it('429 with Retry-After and a JSON body once a principal exhausts its bucket', async () => {
    for (let i = 0; i < 3; i += 1) expect((await request(app.baseUrl, '/v1/test/institutions/INST-A', { key: KEYS.clinicA })).status).toBe(200);
    const res = await request(app.baseUrl, '/v1/test/institutions/INST-A', { key: KEYS.clinicA, headers: { 'x-request-id': 'req-rate-0001' } });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.body).toEqual({ error: { code: 'RATE_LIMITED', message: 'rate limit exceeded', retryAfterSeconds: 1, requestId: 'req-rate-0001' } });
    // Another principal is unaffected.
    expect((await request(app.baseUrl, '/v1/test/institutions/INST-A', { key: KEYS.analyst })).status).toBe(200);
  });

  it('/ready answers 503 with the failing checks', async () => {
    setReady(false);
    const res = await request(app.baseUrl, '/ready');
    setReady(true);
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ ready: false, checks: { store: { ok: true }, model: { ok: false, detail: 'no champion model' } } });
  });

  it('/metrics needs an admin credential and exposes request counts by route pattern', async () => {
    expect((await request(app.baseUrl, '/metrics')).status).toBe(401);
    expect((await request(app.baseUrl, '/metrics', { key: KEYS.analyst })).status).toBe(403);
    const res = await request(app.baseUrl, '/metrics', { key: KEYS.admin });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = res.body as string;
    expect(text).toContain('stratum_http_requests_total{method="GET",route="/v1/test/institutions/:institutionId",status="200"} 4');
    expect(text).toContain('stratum_http_requests_total{method="GET",route="/v1/test/institutions/:institutionId",status="429"} 1');
    expect(text).toMatch(/stratum_http_request_duration_seconds_bucket\{method="GET",route="\/ready",status="503",le="\+Inf"\} 1/);
    expect(text).not.toContain('INST-A');
  });
});

describe('/metrics open when configured', () => {
  it('STRATUM_METRICS_AUTH=none serves /metrics without credentials', async () => {
    const app = await startApp({ auth: { ...testAuthConfig(), metricsAccess: 'none' } });
    try {
      expect((await request(app.baseUrl, '/metrics')).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
