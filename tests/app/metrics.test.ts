import { describe, expect, it } from 'bun:test';
import { memoryRepositories } from '../../src/adapters/memory';
import { countEvents, countSweep, instrument } from '../../src/app/metrics/instrument';
import { createMetrics } from '../../src/app/metrics/registry';
import { metricsRoutes } from '../../src/app/metrics/route';
import { probeReachable } from '../../src/app/probe';
import type { Payments } from '../../src/domain/payment';
import { ok } from '../../src/domain/result';
import { T0 } from '../support/builders';

const scrape = (path = '/metrics', headers: Record<string, string> = {}) =>
  new Request(`http://localhost${path}`, { headers });

describe('/metrics access', () => {
  const metrics = createMetrics();

  it('is open without a token outside production', async () => {
    const res = await metricsRoutes({ metrics, openWithoutToken: true }).handle(scrape());
    expect(res.status).toBe(200);
  });

  it('does not exist in production without a token', async () => {
    const res = await metricsRoutes({ metrics, openWithoutToken: false }).handle(scrape());
    expect(res.status).toBe(404);
  });

  it('wants the bearer token when one is configured', async () => {
    const app = metricsRoutes({ metrics, token: 'scrape-token-0123456789', openWithoutToken: true });
    expect((await app.handle(scrape())).status).toBe(401);
    expect((await app.handle(scrape('/metrics', { authorization: 'Bearer wrong' }))).status).toBe(401);
    const res = await app.handle(scrape('/metrics', { authorization: 'Bearer scrape-token-0123456789' }));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('process_uptime_seconds');
  });
});

describe('business counters at the ports', () => {
  const value = async (
    m: ReturnType<typeof createMetrics>,
    name: string,
    labels: Record<string, string> = {},
  ) => {
    const metric = (await m.registry.getMetricsAsJSON()).find((x) => x.name === name);
    const values = (metric?.values ?? []) as { labels: Record<string, unknown>; value: number }[];
    return values
      .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
      .reduce((s, v) => s + v.value, 0);
  };

  it('counts a status once however often it is recorded', async () => {
    const m = createMetrics();
    const repos = memoryRepositories();
    const ports = instrument({ ...repos, payments: {} as Payments }, m);
    await ports.statusChanges.record({ orderId: 1, status: 'paid', at: T0 });
    await ports.statusChanges.record({ orderId: 1, status: 'paid', at: T0 });
    await ports.statusChanges.record({ orderId: 1, status: 'completed', at: T0 });
    expect(await value(m, 'order_status_reached_total', { status: 'paid' })).toBe(1);
    expect(await value(m, 'order_status_reached_total', { status: 'completed' })).toBe(1);
    // Methods not overridden still reach the adapter, bound to it.
    expect(await ports.statusChanges.list(1)).toHaveLength(2);
  });

  it('times provider calls by operation and result', async () => {
    const m = createMetrics();
    const payments = {
      query: async () => ok({ state: 'NOTPAY' }),
      close: async () => ({ ok: false, error: { kind: 'provider_unavailable', message: 'down' } }),
    } as unknown as Payments;
    const ports = instrument({ ...memoryRepositories(), payments }, m);
    await ports.payments.query('P1');
    await ports.payments.close('P1');
    expect(await value(m, 'provider_calls_total', { operation: 'query', result: 'ok' })).toBe(1);
    expect(
      await value(m, 'provider_calls_total', { operation: 'close', result: 'provider_unavailable' }),
    ).toBe(1);
  });

  it('counts rejected callbacks by reason and sweeper runs by verdict', async () => {
    const m = createMetrics();
    countEvents(m)('callback.rejected', { reason: 'notification_unauthenticated' });
    countEvents(m)('http.access', {});
    countSweep(m, { completed: 2, cancelled: 0, stillPending: 1, unresolved: 1, deferred: 0, reviews: 0 });
    countSweep(m, undefined);
    expect(
      await value(m, 'payment_notifications_total', {
        outcome: 'rejected',
        reason: 'notification_unauthenticated',
      }),
    ).toBe(1);
    expect(await value(m, 'log_events_total')).toBe(1);
    expect(await value(m, 'sweeper_runs_total', { result: 'ok' })).toBe(1);
    expect(await value(m, 'sweeper_runs_total', { result: 'failed' })).toBe(1);
    expect(await value(m, 'sweeper_checks_total', { verdict: 'completed' })).toBe(2);
    expect(await value(m, 'sweeper_checks_total')).toBe(4);
  });
});

describe('provider reachability probe', () => {
  it('counts any HTTP answer as reachable, a network error as not, and caches the answer briefly', async () => {
    let calls = 0;
    let now = 0;
    let answer: () => Promise<Response> = async () => new Response('nope', { status: 404 });
    const probe = probeReachable('http://provider', {
      fetch: (async () => {
        calls++;
        return answer();
      }) as unknown as typeof fetch,
      now: () => now,
    });
    expect(await probe()).toBe(true);
    answer = async () => {
      throw new TypeError('connection refused');
    };
    expect(await probe()).toBe(true); // cached
    expect(calls).toBe(1);
    now += 5000;
    expect(await probe()).toBe(false);
    expect(calls).toBe(2);
    answer = async () => new Response(null, { status: 200 });
    now += 1000;
    expect(await probe()).toBe(true);
    expect(calls).toBe(3);
  });
});
