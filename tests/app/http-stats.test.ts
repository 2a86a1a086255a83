import { describe, expect, it } from 'bun:test';
import fc from 'fast-check';
import { Counter, Histogram, type Metric, Registry } from 'prom-client';
import { HttpStats } from '../../src/app/metrics/http-stats';
import { HTTP_BUCKETS } from '../../src/app/metrics/registry';

/** What prom-client itself would expose for the same requests: the reference. */
async function reference(requests: readonly Request_[]): Promise<string> {
  const registry = new Registry();
  const counter = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const histogram = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method and route pattern',
    labelNames: ['method', 'route'],
    buckets: HTTP_BUCKETS,
    registers: [registry],
  });
  for (const [method, route, status, seconds] of requests) {
    counter.inc({ method, route, status });
    histogram.observe({ method, route }, seconds);
  }
  return registry.metrics();
}

async function ours(requests: readonly Request_[]): Promise<string> {
  const registry = new Registry();
  const stats = new HttpStats(HTTP_BUCKETS);
  for (const metric of [stats.requestsMetric(), stats.durationMetric()])
    registry.registerMetric(metric as unknown as Metric);
  for (const [method, route, status, seconds] of requests) stats.observe(method, route, status, seconds);
  return registry.metrics();
}

type Request_ = [method: string, route: string, status: number, seconds: number];

/** Lines sorted: series order within a metric is not part of the format. */
const lines = (text: string) => text.split('\n').filter(Boolean).sort();

describe('HttpStats, the per-request HTTP metrics', () => {
  const request = fc.tuple(
    fc.constantFrom('GET', 'POST'),
    fc.constantFrom('/api/products/', '/api/orders/:order_id', '(unmatched)'),
    fc.constantFrom(200, 400, 404, 500),
    // Bucket bounds themselves included: `le` is inclusive.
    fc.oneof(fc.constantFrom(...HTTP_BUCKETS, 0, 10), fc.double({ min: 0, max: 10, noNaN: true })),
  );

  it('exposes exactly what prom-client’s counter and histogram expose for the same requests', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(request, { maxLength: 60 }), async (requests) => {
        expect(lines(await ours(requests))).toEqual(lines(await reference(requests)));
      }),
      { numRuns: 200 },
    );
  });

  it('counts every answered request for the idle collector', () => {
    const stats = new HttpStats(HTTP_BUCKETS);
    expect(stats.total()).toBe(0);
    stats.observe('GET', '/health', 200, 0.001);
    stats.observe('GET', '/health', 503, 0.001);
    expect(stats.total()).toBe(2);
  });
});
