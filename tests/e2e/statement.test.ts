import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { sandboxOpenid } from '../../src/adapters/sandbox/login';
import { SANDBOX_APPID } from '../../src/app/config';
import { client, eventually, requestPaymentArgs, type Stack, sandboxControl, startStack } from './stack';

/** Today in Beijing, the statement's calendar. */
const beijingDate = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

/**
 * Daily statement reconciliation through the gateway contract: a normal payment, one whose callback
 * and queries were all lost, one the statement reports with another amount, and a refund.
 */
describe('statement reconciliation end to end', () => {
  let stack: Stack;
  let api: ReturnType<typeof client>;
  let admin: string;
  const sandbox = sandboxControl(() => stack);

  beforeAll(async () => {
    stack = await startStack({
      // Nothing else may heal the lost payment: no sweeper, no scheduled statement run.
      apiEnv: {
        ADMIN_OPENIDS: sandboxOpenid(SANDBOX_APPID, 'st-admin'),
        RECONCILE_INTERVAL_SECONDS: '0',
        STATEMENT_CHECK_SECONDS: '0',
      },
    });
    api = client(stack.api);
    admin = await api.login('st-admin');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const ordered = (code: string) => api.placeOrder(code);
  const orderStatus = (token: string, id: number) => api.status(token, id);
  async function completed(code: string) {
    const o = await ordered(code);
    await sandbox('/sandbox/request-payment', requestPaymentArgs(o.paymentData));
    await eventually(async () => ((await orderStatus(o.token, o.id)) === 'completed' ? true : undefined));
    return o;
  }
  const credits = async (token: string) => (await api.call('GET', '/api/users/me', { token })).body.credits;

  it('today, provisionally: lists the lost payment (healed, credits once) and the amount difference; stores nothing', async () => {
    const date = beijingDate();
    await completed('st-normal');
    const differing = await completed('st-differing');
    await sandbox(`/sandbox/trades/${differing.orderNo}/statement-amount?fen=1990`);
    const refunded = await completed('st-refunded');
    const refund = await api.call('POST', `/api/admin/orders/${refunded.id}/refund`, {
      token: admin,
      body: {},
    });
    expect(refund.body).toMatchObject({ status: 'refunded', refund_status: 'succeeded' });
    const lost = await ordered('st-lost');
    await sandbox(`/sandbox/trades/${lost.orderNo}/pay?notify=false&queries=lost`);
    // The lost one answers NOTPAY to the client's own query too.
    expect(
      (await api.call('GET', `/api/orders/payment-status/${lost.id}`, { token: lost.token })).body.status,
    ).toBe('pending');

    const run = await api.call('POST', `/api/admin/statements/${date}/run`, { token: admin });
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ date, trades: 4, refunds: 1, matched: 3, provisional: true });
    expect(run.body.differences).toHaveLength(2);
    expect(run.body.differences).toContainEqual({
      kind: 'amount_mismatch',
      out_trade_no: differing.orderNo,
      ours: 990,
      theirs: 1990,
    });
    expect(run.body.differences).toContainEqual({
      kind: 'missing_here',
      out_trade_no: lost.orderNo,
      amount_fen: 990,
      healed: true,
    });
    expect(await orderStatus(lost.token, lost.id)).toBe('completed');
    expect(await credits(lost.token)).toBe(100);

    // Run again later the same day: the same report (the healed payment still says it was missing),
    // and nothing is granted twice.
    const again = await api.call('POST', `/api/admin/statements/${date}/run`, { token: admin });
    expect({ ...again.body, created_at: null }).toEqual({ ...run.body, created_at: null });
    expect(await credits(lost.token)).toBe(100);
    // Not stored: the daily job still reconciles the whole day once it is over.
    expect((await api.call('GET', `/api/admin/statements/${date}`, { token: admin })).status).toBe(404);
    expect((await api.call('GET', '/api/admin/statements/', { token: admin })).body).toEqual([]);
    const metrics = await (await fetch(`${stack.api}/metrics`)).text();
    expect(metrics).not.toContain('statement_runs_total{result="differences"}');
  });

  it('refuses a date that does not exist or has not begun, and needs an admin', async () => {
    expect((await api.call('POST', '/api/admin/statements/2026-02-30/run', { token: admin })).status).toBe(
      400,
    );
    const future = await api.call('POST', '/api/admin/statements/2099-01-01/run', { token: admin });
    expect(future).toEqual({ status: 400, body: { detail: '2099-01-01 还没有到（北京时间），不能对账' } });
    expect((await api.call('GET', '/api/admin/statements/2099-01-01', { token: admin })).status).toBe(404);
    const user = await api.login('st-user');
    expect((await api.call('POST', '/api/admin/statements/2026-02-01/run', { token: user })).status).toBe(
      403,
    );
  });
});
