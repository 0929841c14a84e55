/** Generic API contracts: pagination and the env-driven HTTP settings. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MAX_PAGE_SIZE, Page, PageQuery } from '../../data-contracts/v1/api/pagination.ts';
import { httpSettingsFromEnv } from '../../src/api/app.ts';
import { loadEnv } from '../../src/config/env.ts';

describe('pagination', () => {
  it('coerces query-string limits, defaults to 100 and bounds the page size', () => {
    expect(PageQuery.parse({})).toEqual({ limit: 100 });
    expect(PageQuery.parse({ limit: '50', cursor: 'abc' })).toEqual({ limit: 50, cursor: 'abc' });
    expect(PageQuery.safeParse({ limit: '0' }).success).toBe(false);
    expect(PageQuery.safeParse({ limit: String(MAX_PAGE_SIZE + 1) }).success).toBe(false);
  });

  it('a page carries items and a nullable next cursor', () => {
    const Ids = Page(z.string());
    expect(Ids.parse({ items: ['a'], nextCursor: null })).toEqual({ items: ['a'], nextCursor: null });
    expect(Ids.safeParse({ items: [1], nextCursor: null }).success).toBe(false);
  });
});

describe('HTTP settings from the environment', () => {
  it('defaults, and overrides from variables', () => {
    expect(httpSettingsFromEnv(loadEnv({}))).toEqual({ rateLimit: { ratePerSecond: 50, burst: 100 }, bodyLimit: '1mb' });
    expect(httpSettingsFromEnv(loadEnv({ STRATUM_RATE_LIMIT_PER_SECOND: '0', STRATUM_RATE_LIMIT_BURST: '5', STRATUM_BODY_LIMIT: '20mb' }))).toEqual({ rateLimit: { ratePerSecond: 0, burst: 5 }, bodyLimit: '20mb' });
  });

  it('refuses a short JWT secret', () => {
    expect(() => loadEnv({ STRATUM_JWT_SECRET: 'short' })).toThrow(/STRATUM_JWT_SECRET/);
  });
});
