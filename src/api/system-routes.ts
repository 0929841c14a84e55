/**
 * Probes, metrics and the API description. /health and /ready are public (an orchestrator calls
 * them without credentials and they reveal nothing but up/down); /metrics needs an `admin`
 * credential unless STRATUM_METRICS_AUTH=none (see AuthConfig.metricsAccess).
 */
import { z } from 'zod';
import { defineOperation } from './operations.ts';
import { Reply, type RouteModule } from './routes.ts';
import { PROMETHEUS_CONTENT_TYPE, type Metrics } from './metrics.ts';

export const HealthBody = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });

export const ReadinessCheck = z.object({ ok: z.boolean(), detail: z.string().optional() });
export const ReadinessBody = z.object({ ready: z.boolean(), checks: z.record(z.string(), ReadinessCheck) }).meta({ id: 'Readiness' });
export type Readiness = z.infer<typeof ReadinessBody>;

export const healthOperation = defineOperation({
  operationId: 'getHealth',
  method: 'get',
  path: '/health',
  summary: 'Liveness: the process answers',
  tags: ['system'],
  roles: 'public',
  responses: { 200: { description: 'alive', schema: HealthBody } },
});

export const readyOperation = defineOperation({
  operationId: 'getReady',
  method: 'get',
  path: '/ready',
  summary: 'Readiness: store reachable, models loaded',
  tags: ['system'],
  roles: 'public',
  responses: { 200: { description: 'ready', schema: ReadinessBody }, 503: { description: 'not ready; the failing checks', schema: ReadinessBody } },
});

export const metricsOperation = defineOperation({
  operationId: 'getMetrics',
  method: 'get',
  path: '/metrics',
  summary: 'Prometheus metrics (text exposition format)',
  tags: ['system'],
  roles: ['admin'],
  responses: { 200: { description: 'metrics', schema: z.string(), contentType: PROMETHEUS_CONTENT_TYPE } },
});

export const openApiOperation = defineOperation({
  operationId: 'getOpenApi',
  method: 'get',
  path: '/openapi.json',
  summary: 'This API, as an OpenAPI 3.1 document',
  tags: ['system'],
  roles: 'public',
  responses: { 200: { description: 'the OpenAPI document', schema: z.record(z.string(), z.unknown()) } },
});

/** The system operations, for the typed client. */
export const SYSTEM_OPERATIONS = [healthOperation, readyOperation, metricsOperation, openApiOperation] as const;

export interface SystemRouteOptions {
  readiness: () => Promise<Readiness>;
  metrics: Metrics;
  metricsAccess: 'admin' | 'none';
  openApiDocument: () => Record<string, unknown>;
}

export function systemRoutes(options: SystemRouteOptions): RouteModule {
  return {
    name: 'system',
    register(routes, { logger }) {
      routes.add(healthOperation, () => ({ status: 'ok' as const }));

      routes.add(readyOperation, async () => {
        let readiness: Readiness;
        try {
          readiness = await options.readiness();
        } catch (error) {
          logger.error({ err: error instanceof Error ? { type: error.name, message: error.message } : String(error) }, 'readiness check threw');
          readiness = { ready: false, checks: { readiness: { ok: false, detail: 'readiness check failed' } } };
        }
        return readiness.ready ? readiness : new Reply(503, readiness);
      });

      // Metrics hold aggregates only (route patterns, tiers, model versions), never member data.
      routes.add(options.metricsAccess === 'none' ? { ...metricsOperation, roles: 'public' } : metricsOperation, () => options.metrics.render());

      routes.add(openApiOperation, () => options.openApiDocument());
    },
  };
}
