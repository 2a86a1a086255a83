import { timingSafeEqual } from 'node:crypto';
import { Elysia } from 'elysia';
import type { Metrics } from './registry';

export interface MetricsAccess {
  readonly metrics: Metrics;
  /** METRICS_TOKEN: scrapers send `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** Without a token: open in development and test, absent (404) in production. */
  readonly openWithoutToken: boolean;
}

const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** `GET /metrics` in Prometheus' text format; the registry computes its gauges at scrape time. */
export const metricsRoutes = (access: MetricsAccess) =>
  new Elysia({ name: 'metrics' }).get(
    '/metrics',
    async ({ request, status }) => {
      const { metrics, token } = access;
      if (token === undefined && !access.openWithoutToken) return status(404, { detail: '接口不存在' });
      if (token !== undefined) {
        const given = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1] ?? '';
        if (!sameSecret(given, token)) return status(401, { detail: '指标接口需要有效的令牌' });
      }
      return new Response(await metrics.registry.metrics(), {
        headers: { 'content-type': metrics.registry.contentType },
      });
    },
    { detail: { hide: true } },
  );
