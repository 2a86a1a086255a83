import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { sandboxOpenid } from '../../src/adapters/sandbox/login';
import { SANDBOX_APPID } from '../../src/app/config';
import { client, eventually, requestPaymentArgs, type Stack, sandboxControl, startStack } from './stack';

/** Sums every sample of `name` whose labels include all of `labels` (Prometheus text format). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

/**
 * Logs and metrics of the real API process: a purchase, a forged callback and a refund move exactly
 * the counters they should, every request leaves one access line, and no line carries a bearer
 * token, a signature or an openid.
 */
describe('observability end to end', () => {
  let stack: Stack;
  let api: ReturnType<typeof client>;
  const sandbox = sandboxControl(() => stack);
  const scrape = async () => (await fetch(`${stack.api}/metrics`)).text();

  beforeAll(async () => {
    stack = await startStack({
      // No sweeper: its provider queries would move the counters this test counts exactly.
      apiEnv: { ADMIN_OPENIDS: sandboxOpenid(SANDBOX_APPID, 'obs-admin'), RECONCILE_INTERVAL_SECONDS: '0' },
    });
    api = client(stack.api);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('counts a purchase, a forged callback and a refund; logs them without secrets', async () => {
    const admin = await api.login('obs-admin');
    const token = await api.login('obs-buyer');
    const before = await scrape();

    const created = await api.call('POST', '/api/orders/create', { token, body: { product_id: 1 } });
    const id = created.body.order_id as number;
    const pay = await api.call('POST', `/api/orders/pay/${id}`, { token });
    const paySign = pay.body.payment_data.paySign as string;
    await sandbox('/sandbox/request-payment', requestPaymentArgs(pay.body.payment_data));
    await eventually(async () =>
      (await api.call('GET', `/api/orders/${id}`, { token })).body.status === 'completed' ? true : undefined,
    );

    const forgedSig = `t=${Math.floor(Date.now() / 1000)},v1=${'ab'.repeat(32)}`;
    const buyerOpenid = sandboxOpenid(SANDBOX_APPID, 'obs-buyer');
    const forged = await fetch(`${stack.api}/api/orders/callback`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-gateway-signature': forgedSig,
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({ outTradeNo: created.body.order_no, tradeState: 'SUCCESS', openid: buyerOpenid }),
    });
    expect(forged.status).toBe(401);

    const refunded = await api.call('POST', `/api/admin/orders/${id}/refund`, { token: admin, body: {} });
    expect(refunded.body).toMatchObject({ status: 'refunded', refund_status: 'succeeded' });

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(delta('orders_created_total')).toBe(1);
    for (const status of ['paid', 'completed', 'refunded'])
      expect(delta('order_status_reached_total', { status })).toBe(1);
    expect(delta('order_status_reached_total', { status: 'cancelled' })).toBe(0);
    expect(delta('payment_notifications_total', { route: '/api/orders/callback', outcome: 'accepted' })).toBe(
      1,
    );
    expect(delta('payment_notifications_total', { route: '/api/orders/callback', outcome: 'rejected' })).toBe(
      1,
    );
    expect(
      delta('payment_notifications_total', {
        route: '/api/orders/callback',
        reason: 'notification_unauthenticated',
      }),
    ).toBe(1);
    expect(delta('provider_calls_total', { operation: 'createPayment', result: 'ok' })).toBe(1);
    expect(delta('provider_calls_total', { operation: 'refund', result: 'ok' })).toBe(1);
    expect(delta('provider_calls_total')).toBe(2);
    expect(delta('provider_call_duration_seconds_count', { operation: 'refund' })).toBe(1);
    expect(delta('refunds_total', { state: 'requested' })).toBe(1);
    expect(delta('refunds_total', { state: 'succeeded' })).toBe(1);
    expect(delta('http_requests_total', { route: '/api/orders/create', status: '200' })).toBe(1);
    expect(delta('http_requests_total', { route: '/api/orders/callback', status: '401' })).toBe(1);
    expect(delta('http_request_duration_seconds_count', { route: '/api/orders/pay/:order_id' })).toBe(1);

    // Access lines are written in batches up to 50 ms apart: wait for the create's.
    const accessLines = () =>
      stack.logs
        .filter((l) => l.includes('"http.access"'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    const createLine = await eventually(async () =>
      accessLines().find((l) => l.route === '/api/orders/create'),
    );
    await Bun.sleep(120); // and for the last batch, so the secret check below reads every line
    const lines = stack.logs;
    expect(createLine).toMatchObject({ level: 'info', method: 'POST', status: 200 });
    expect(typeof createLine?.ms).toBe('number');
    expect(typeof createLine?.user_id).toBe('number');
    expect(String(createLine?.request_id)).toMatch(/\S/);
    // In TZ's offset (the stack passes no TZ: the default, Asia/Shanghai), not the machine's.
    expect(String(createLine?.time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00$/);
    const business = lines
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { event?: string; time?: string })
      .find((l) => l.event === 'api.listening');
    expect(String(business?.time)).toEndWith('+08:00');
    expect(lines.some((l) => l.includes('"callback.rejected"') && l.includes('"level":"warn"'))).toBe(true);

    const secrets = [
      token,
      admin,
      paySign,
      buyerOpenid,
      sandboxOpenid(SANDBOX_APPID, 'obs-admin'),
      'ab'.repeat(32),
    ];
    for (const line of lines) for (const secret of secrets) expect(line).not.toContain(secret);
  });

  it('guards /metrics with nothing in test mode and answers Prometheus text', async () => {
    const res = await fetch(`${stack.api}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toContain('# TYPE http_requests_total counter');
  });
});
