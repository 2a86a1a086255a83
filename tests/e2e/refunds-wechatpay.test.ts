import { afterAll, afterEach, beforeAll, describe, expect, it } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Json } from '../../scripts/client';
import { readEnvFile } from '../../scripts/wechatpay-sim';
import { sandboxOpenid } from '../../src/adapters/sandbox/login';
import { ensureIdentity } from '../../src/adapters/sandbox/v3/keys';
import { SANDBOX_APPID } from '../../src/app/config';
import { readRefundAttempts, readStore } from './ledger-db';
import { client, eventually, requestPaymentArgs, type Stack, startStack } from './stack';

type Api = ReturnType<typeof client>;

/** Refunds over the real processes: API (PAYMENT_PROVIDER=wechatpay) + sandbox v3 simulator + FerretDB. */
describe('refunds through WeChat Pay v3 end to end', () => {
  let stack: Stack;
  let dir: string;
  let api: Api;
  let admin: string;
  const sim = async (path: string, body?: unknown): Promise<{ status: number; body: Json }> => {
    const res = await fetch(`${stack.sandbox}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  /** New refunds stay PROCESSING until forced (`hold`), or end by themselves with a notification. */
  const refundsEnd = (outcome: 'PROCESSING' | 'SUCCESS') => sim('/v3sim/faults', { refund: { outcome } });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wxsim-refund-'));
    ensureIdentity(dir);
    stack = await startStack({
      apiEnv: {
        ...readEnvFile(join(dir, 'wechatpay.env')),
        WECHATPAY_TIMEOUT_MS: '1000',
        ADMIN_OPENIDS: sandboxOpenid(SANDBOX_APPID, 'refund-admin'),
      },
      sandboxEnv: { WECHATPAY_SIM_DIR: dir },
    });
    api = client(stack.api);
    admin = await api.login('refund-admin');
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await sim('/v3sim/faults', {});
  });

  /** A user's completed order (paid through wx.requestPayment and the payment notification). */
  async function completedOrder(token: string, productId = 1) {
    const created = await api.call('POST', '/api/orders/create', { token, body: { product_id: productId } });
    const pay = await api.call('POST', `/api/orders/pay/${created.body.order_id}`, { token });
    expect((await sim('/v3sim/request-payment', requestPaymentArgs(pay.body.payment_data))).status).toBe(200);
    const id = created.body.order_id as number;
    await eventually(async () => ((await orderStatus(token, id)) === 'completed' ? true : undefined));
    return { id, orderNo: created.body.order_no as string };
  }
  async function user(code: string) {
    const token = await api.login(code);
    const id = (await api.call('GET', '/api/users/me', { token })).body.id as number;
    return { token, id };
  }
  const orderStatus = async (token: string, id: number) =>
    (await api.call('GET', `/api/orders/${id}`, { token })).body.status as string;
  const refund = (orderId: number, body: unknown = {}) =>
    api.call('POST', `/api/admin/orders/${orderId}/refund`, { token: admin, body });
  const refundState = (orderId: number) =>
    api.call('GET', `/api/admin/orders/${orderId}/refund`, { token: admin });
  const spend = (token: string, amount: number, key: string) =>
    api.call('POST', '/api/credits/consume', {
      token,
      body: { amount, description: '使用', idempotency_key: key },
    });
  const simRefunds = async (orderNo: string) =>
    (await sim(`/v3sim/refunds?out_trade_no=${orderNo}`)).body as Json[];

  it('a retry after WeChat refunded but the answer timed out continues: no balance re-check, one refund', async () => {
    const u = await user('e2e-refund-timeout');
    const o = await completedOrder(u.token);
    await refundsEnd('PROCESSING');
    await sim('/v3sim/faults', {
      refund: { outcome: 'PROCESSING' },
      http: [{ endpoint: 'refund', kind: 'lost_response', times: 1, holdMs: 1500 }],
    });
    const first = await refund(o.id);
    expect(first.status).toBe(502);
    expect(await simRefunds(o.orderNo)).toHaveLength(1); // WeChat has the refund
    const spent = await spend(u.token, 50, 'after-timeout');
    const retried = await refund(o.id);
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ refund_status: 'processing', credits_deducted: 100, attempt: 1 });
    expect(spent.status).toBe(400); // the credits were taken back before WeChat was asked
    const atWechat = await simRefunds(o.orderNo);
    expect(atWechat.map((r) => r.out_refund_no)).toEqual([retried.body.out_refund_no]);
    expect(await readRefundAttempts(stack.mongoUri, o.id)).toHaveLength(1);
    expect((await readStore(stack.mongoUri, u.id)).balance).toBe(0);
  });

  it('two concurrent refunds of two orders the user can pay back once: one succeeds, one WeChat refund', async () => {
    const u = await user('e2e-refund-two');
    const a = await completedOrder(u.token);
    const b = await completedOrder(u.token);
    expect((await spend(u.token, 100, 'half')).status).toBe(200);
    await refundsEnd('PROCESSING');
    const [ra, rb] = await Promise.all([refund(a.id), refund(b.id)]);
    expect([ra.status, rb.status].sort()).toEqual([200, 400]);
    const refunds = [...(await simRefunds(a.orderNo)), ...(await simRefunds(b.orderNo))];
    expect(refunds).toHaveLength(1);
    const store = await readStore(stack.mongoUri, u.id);
    expect(store.balance).toBe(0);
    expect(store.keys.filter((k) => k.startsWith('refund'))).toHaveLength(1);
  });

  it('concurrent duplicate refunds of one order all get the same answer', async () => {
    const u = await user('e2e-refund-dups');
    const o = await completedOrder(u.token, 2);
    await refundsEnd('PROCESSING');
    const results = await Promise.all(Array.from({ length: 6 }, () => refund(o.id, { reason: '用户申请' })));
    for (const r of results) expect(r).toEqual(results[0]!);
    expect(results[0]!.body).toMatchObject({
      status: 'completed',
      refund_status: 'processing',
      credits_deducted: 500,
    });
    expect(await simRefunds(o.orderNo)).toHaveLength(1);
    expect((await readStore(stack.mongoUri, u.id)).keys).toEqual([`purchase:${o.id}`, `refund:${o.id}`]);
  });

  it('PROCESSING → SUCCESS by querying: the order stays completed until WeChat says SUCCESS', async () => {
    const u = await user('e2e-refund-query');
    const o = await completedOrder(u.token);
    await refundsEnd('PROCESSING');
    const started = await refund(o.id);
    expect(started.body).toMatchObject({ status: 'completed', refund_status: 'processing' });
    expect(await orderStatus(u.token, o.id)).toBe('completed');
    await sim(`/v3sim/refunds/${started.body.out_refund_no}/succeed?notify=false`, {});
    const done = await refundState(o.id);
    expect(done.body).toMatchObject({
      status: 'refunded',
      refund_status: 'succeeded',
      credits_deducted: 100,
    });
    expect(await orderStatus(u.token, o.id)).toBe('refunded');
  });

  it('PROCESSING → SUCCESS by the REFUND.SUCCESS notification, with no further call', async () => {
    const u = await user('e2e-refund-notify');
    const o = await completedOrder(u.token);
    await refundsEnd('PROCESSING');
    const started = await refund(o.id);
    await sim('/v3sim/faults', { refund: { outcome: 'PROCESSING' }, notify: { duplicates: 2 } });
    await sim(`/v3sim/refunds/${started.body.out_refund_no}/succeed`, {});
    await eventually(async () => ((await orderStatus(u.token, o.id)) === 'refunded' ? true : undefined));
    // Three concurrent copies (duplicates: 2), every one acknowledged.
    const deliveries = await eventually(async () => {
      const all = ((await sim('/v3sim/deliveries')).body as Json[]).filter(
        (d) => d.outRefundNo === started.body.out_refund_no,
      );
      return all.length >= 3 ? all : undefined;
    });
    expect(deliveries.every((d) => d.status === 204)).toBe(true);
    expect((await readStore(stack.mongoUri, u.id)).keys).toEqual([`purchase:${o.id}`, `refund:${o.id}`]);
  });

  for (const [knob, state] of [
    ['close', 'closed'],
    ['abnormal', 'abnormal'],
  ] as const) {
    it(`PROCESSING → ${state}: credits back once, then the operator retries under a new out_refund_no`, async () => {
      const u = await user(`e2e-refund-${state}`);
      const o = await completedOrder(u.token);
      await sim('/v3sim/faults', { refund: { outcome: 'PROCESSING' }, notify: { duplicates: 2 } });
      const first = await refund(o.id);
      await sim(`/v3sim/refunds/${first.body.out_refund_no}/${knob}`, {});
      await eventually(async () =>
        (await readStore(stack.mongoUri, u.id)).balance === 100 ? true : undefined,
      );
      const ended = await refundState(o.id);
      expect(ended.body).toMatchObject({ status: 'completed', refund_status: state, credits_returned: 100 });
      const reversal = `refund-reversal:${first.body.out_refund_no}`;
      expect((await readStore(stack.mongoUri, u.id)).keys).toEqual([
        `purchase:${o.id}`,
        `refund:${o.id}`,
        reversal,
      ]);

      await refundsEnd('SUCCESS'); // the retry is refunded and notified by itself
      const retry = await refund(o.id, { retry_of: first.body.out_refund_no });
      expect(retry.status).toBe(200);
      expect(retry.body.attempt).toBe(2);
      expect(retry.body.out_refund_no).not.toBe(first.body.out_refund_no);
      await eventually(async () => ((await orderStatus(u.token, o.id)) === 'refunded' ? true : undefined));
      const store = await readStore(stack.mongoUri, u.id);
      expect(store.keys).toEqual([`purchase:${o.id}`, `refund:${o.id}`, reversal, `refund:${o.id}:2`]);
      expect(store.balance).toBe(0);
      expect((await refund(o.id, { retry_of: first.body.out_refund_no })).body.out_refund_no).toBe(
        retry.body.out_refund_no,
      );
    });
  }
});
