import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEnvFile } from '../../scripts/wechatpay-sim';
import { sandboxOpenid } from '../../src/adapters/sandbox/login';
import { ensureIdentity } from '../../src/adapters/sandbox/v3/keys';
import { SANDBOX_APPID } from '../../src/app/config';
import { client, eventually, requestPaymentArgs, type Stack, startStack } from './stack';

/** Today in Beijing, the trade bill's calendar. */
const beijingDate = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

/**
 * Statement reconciliation with PAYMENT_PROVIDER=wechatpay: the API downloads the v3 trade bill from
 * the simulator (signed `tradebill` answer → gzip file → SHA1 → CSV) over real TCP. The difference it
 * finds reaches an alert webhook in the generic JSON format.
 */
describe('statement reconciliation through the WeChat Pay v3 trade bill end to end', () => {
  let stack: Stack;
  let dir: string;
  let api: ReturnType<typeof client>;
  let admin: string;
  const alerts: Record<string, unknown>[] = [];
  const relay = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      alerts.push((await req.json()) as Record<string, unknown>);
      return new Response(null, { status: 204 });
    },
  });
  const sim = (path: string, body?: unknown) =>
    fetch(`${stack.sandbox}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wxsim-bill-'));
    ensureIdentity(dir);
    stack = await startStack({
      apiEnv: {
        ...readEnvFile(join(dir, 'wechatpay.env')),
        ADMIN_OPENIDS: sandboxOpenid(SANDBOX_APPID, 'bill-admin'),
        // Nothing but the statement may heal the lost payment: no sweeper, no scheduled run.
        RECONCILE_INTERVAL_SECONDS: '0',
        STATEMENT_CHECK_SECONDS: '0',
        ALERT_CHECK_SECONDS: '0',
        ALERT_WEBHOOK_URL: `http://127.0.0.1:${relay.port}/alerts`,
        ALERT_WEBHOOK_FORMAT: 'json',
      },
      sandboxEnv: { WECHATPAY_SIM_DIR: dir },
    });
    api = client(stack.api);
    admin = await api.login('bill-admin');
  });
  afterAll(async () => {
    await stack?.stop();
    relay.stop(true);
    rmSync(dir, { recursive: true, force: true });
  });

  const status = (token: string, id: number) => api.status(token, id);
  const ordered = (code: string) => api.placeOrder(code);
  async function completed(code: string) {
    const o = await ordered(code);
    expect((await sim('/v3sim/request-payment', requestPaymentArgs(o.paymentData))).status).toBe(200);
    await eventually(async () => ((await status(o.token, o.id)) === 'completed' ? true : undefined));
    return o;
  }

  it('heals the payment only the bill knows, once, and matches the rest (today: provisional, not stored)', async () => {
    const date = beijingDate();
    await completed('bill-normal');
    const refunded = await completed('bill-refunded');
    const refund = await api.call('POST', `/api/admin/orders/${refunded.id}/refund`, {
      token: admin,
      body: {},
    });
    expect(refund.status).toBe(200);
    await eventually(async () =>
      (await status(refunded.token, refunded.id)) === 'refunded' ? true : undefined,
    );
    // Paid at WeChat, the notification lost and never queried: only the bill knows.
    const lost = await ordered('bill-lost');
    expect((await sim(`/v3sim/trades/${lost.orderNo}/pay?notify=false`)).status).toBe(200);
    expect(await status(lost.token, lost.id)).toBe('pending');

    const run = await api.call('POST', `/api/admin/statements/${date}/run`, { token: admin });
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ date, trades: 3, refunds: 1, matched: 3, provisional: true });
    expect(run.body.differences).toEqual([
      { kind: 'missing_here', out_trade_no: lost.orderNo, amount_fen: 990, healed: true },
    ]);
    expect(await status(lost.token, lost.id)).toBe('completed');
    expect((await api.call('GET', '/api/users/me', { token: lost.token })).body.credits).toBe(100);

    // Today is not over: run again, the same report (the healed payment still says it was missing),
    // and nothing is granted twice.
    const again = await api.call('POST', `/api/admin/statements/${date}/run`, { token: admin });
    expect({ ...again.body, created_at: null }).toEqual({ ...run.body, created_at: null });
    expect((await api.call('GET', '/api/users/me', { token: lost.token })).body.credits).toBe(100);
  });
});
