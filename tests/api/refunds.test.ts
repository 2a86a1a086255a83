import { afterAll, afterEach, beforeAll, describe, expect, it } from 'bun:test';
import type { Payments, RefundRequest } from '../../src/domain/payment';
import { type HttpHarness, httpHarness } from './harness';

// Admin refunds over HTTP (app.handle), memory storage, the in-process gateway sandbox over TCP.
let h: HttpHarness;
let admin: string;
let realPayments: Payments;
beforeAll(async () => {
  h = await httpHarness({ adminCodes: ['boss'] });
  admin = (await h.login('boss')).token;
  realPayments = { ...h.deps.payments };
});
afterAll(() => h.stop());
afterEach(async () => {
  Object.assign(h.deps.payments, realPayments);
  await sandbox('/sandbox/refund-settings', { status: 'SUCCESS', drop_answers: 0 });
});

const as = (token: string) => ({
  get: (path: string) => h.request('GET', path, { token }),
  post: (path: string, body?: unknown) => h.request('POST', path, { token, body }),
});
const sandbox = async (path: string, body?: unknown) =>
  (
    await fetch(`${h.sandbox.url}${path}`, {
      method: body === undefined && !/\/(succeed|close|abnormal)/.test(path) ? 'GET' : 'POST',
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  ).json();
const refund = (orderId: number, body?: unknown) =>
  as(admin).post(`/api/admin/orders/${orderId}/refund`, body);
const refundState = (orderId: number) => as(admin).get(`/api/admin/orders/${orderId}/refund`);
const balance = async (token: string) => (await as(token).get('/api/users/me')).body.credits as number;
const ledger = async (token: string) =>
  (await as(token).get('/api/credits/transactions?limit=100')).body as {
    amount: number;
    type: string;
    description: string;
  }[];
const orderStatus = async (token: string, id: number) =>
  (await as(token).get(`/api/orders/${id}`)).body.status as string;
const spend = (token: string, amount: number, key: string) =>
  as(token).post('/api/credits/consume', { amount, description: '使用', idempotency_key: key });

/** A completed order: prepay, pay at the sandbox without a callback, then the status query settles it. */
async function completedOrder(token: string, productId = 1) {
  const created = await as(token).post('/api/orders/create', { product_id: productId });
  const { order_id: id, order_no: no } = created.body;
  await as(token).post(`/api/orders/pay/${id}`);
  await fetch(`${h.sandbox.url}/sandbox/trades/${no}/pay?notify=false`, { method: 'POST' });
  expect((await as(token).get(`/api/orders/payment-status/${id}`)).body.status).toBe('completed');
  return { id: id as number, no: no as string };
}
/** Counts the refund numbers sent to the provider. */
function countProviderRefunds() {
  const numbers: string[] = [];
  h.deps.payments.refund = (req: RefundRequest) => {
    numbers.push(req.outRefundNo);
    return realPayments.refund(req);
  };
  return numbers;
}

describe('admin refunds: the happy path', () => {
  it('takes the credits back, refunds once, projects the order refunded; a repeat returns the same', async () => {
    const u = await h.login('refund-happy');
    const o = await completedOrder(u.token);
    const res = await refund(o.id, { reason: '用户申请' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      order_id: o.id,
      order_no: o.no,
      status: 'refunded',
      refund_status: 'succeeded',
      attempt: 1,
      refund_amount: 9.9,
      credits_deducted: 100,
      credits_shortfall: 0,
      credits_returned: 0,
      reason: '用户申请',
      message: '退款成功',
    });
    expect(res.body.out_refund_no).toMatch(/^R[A-Za-z0-9]{8,31}$/);
    expect(res.body.refund_id).toMatch(/^50\d+$/);
    expect(await balance(u.token)).toBe(0);
    const order = (await as(u.token).get(`/api/orders/${o.id}`)).body;
    expect(order.status).toBe('refunded');
    expect(order.refund_time).toBe(res.body.refund_time);
    expect(await sandbox(`/sandbox/trades/${o.no}`)).toMatchObject({
      trade_state: 'REFUND',
      refunded_fen: 990,
    });
    expect((await ledger(u.token))[0]).toMatchObject({ amount: -100, type: 'refund' });
    expect((await refund(o.id)).body).toEqual(res.body);
    // Paying it again is refused as refunded, not as "paid, credits granted" (they were taken back).
    const pay = await h.request('POST', `/api/orders/pay/${o.id}`, { token: u.token });
    expect(pay).toMatchObject({ status: 400, body: { detail: '订单已退款，不能再次支付，请重新下单' } });
    expect((await refundState(o.id)).body).toEqual(res.body);
    expect(await ledger(u.token)).toHaveLength(2);
  });

  it('refuses orders that are not completed, unknown ones and bad bodies', async () => {
    const u = await h.login('refund-pending');
    const created = (await as(u.token).post('/api/orders/create', { product_id: 1 })).body;
    const res = await refund(created.order_id);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ detail: '订单待支付，不能退款' });
    expect((await refund(999999)).status).toBe(404);
    expect((await refund(created.order_id, { force: 'yes' })).status).toBe(400);
    expect((await refund(created.order_id, { retry_of: 'x y' })).status).toBe(400);
    expect((await refundState(created.order_id)).body).toEqual({ detail: '该订单没有退款记录' });
  });
});

describe('admin refunds: credits are taken back before the provider is asked', () => {
  it('refuses when the credits were spent, before asking the provider, changing nothing', async () => {
    const u = await h.login('refund-spent');
    const o = await completedOrder(u.token);
    expect((await spend(u.token, 60, 'spent')).status).toBe(200);
    const sent = countProviderRefunds();
    const refused = await refund(o.id);
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ detail: '用户积分不足，无法退款（可使用 force 强制退款）' });
    expect(sent).toEqual([]);
    expect(await sandbox(`/sandbox/trades/${o.no}`)).toMatchObject({
      trade_state: 'SUCCESS',
      refunded_fen: 0,
    });
    expect(await orderStatus(u.token, o.id)).toBe('completed');
    expect(await balance(u.token)).toBe(40);
    expect((await refundState(o.id)).status).toBe(404);
  });

  it('with force takes what is left, records the shortfall, and never goes below zero', async () => {
    const u = await h.login('refund-force');
    const o = await completedOrder(u.token);
    await spend(u.token, 60, 'spent');
    const forced = await refund(o.id, { force: true });
    expect(forced.status).toBe(200);
    expect(forced.body).toMatchObject({
      refund_status: 'succeeded',
      credits_deducted: 40,
      credits_shortfall: 60,
    });
    expect(await balance(u.token)).toBe(0);
    const entry = (await ledger(u.token))[0]!;
    expect(entry).toMatchObject({ amount: -40, type: 'refund' });
    expect(entry.description).toContain('强制退款');
  });

  it('with force and nothing left records a zero deduction once and still refunds the money', async () => {
    const u = await h.login('refund-empty');
    const o = await completedOrder(u.token);
    await spend(u.token, 100, 'all');
    const forced = await refund(o.id, { force: true });
    expect(forced.body).toMatchObject({ status: 'refunded', credits_deducted: 0, credits_shortfall: 100 });
    expect((await ledger(u.token)).map((e) => [e.type, e.amount])).toEqual([
      ['refund', 0],
      ['consume', -100],
      ['purchase', 100],
    ]);
    // A credit arriving later never turns the recorded zero into a deduction.
    await as(admin).post(`/api/admin/users/${u.user.id}/credits`, {
      amount: 30,
      reason: '补偿',
      idempotency_key: 'k',
    });
    expect((await refund(o.id, { force: true })).body).toEqual(forced.body);
    expect(await balance(u.token)).toBe(30);
  });

  // Defect 1: the first call timed out after the provider had refunded, the user spent, the retry said 400.
  it('a retry after a lost provider answer continues from the recorded deduction, never re-checking the balance', async () => {
    const u = await h.login('refund-lost-answer');
    const o = await completedOrder(u.token);
    const sent = countProviderRefunds();
    const counted = h.deps.payments.refund;
    h.deps.payments.refund = async (req) => {
      h.deps.payments.refund = counted;
      await counted(req); // the provider refunds …
      return { ok: false, error: { kind: 'provider_unavailable', message: 'timed out' } }; // … the answer is lost
    };
    const first = await refund(o.id);
    expect(first.status).toBe(502);
    expect(await sandbox(`/sandbox/trades/${o.no}`)).toMatchObject({
      trade_state: 'REFUND',
      refunded_fen: 990,
    });
    const spent = (await spend(u.token, 50, 'after-timeout')).status;
    const retried = await refund(o.id);
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({
      status: 'refunded',
      refund_status: 'succeeded',
      credits_deducted: 100,
    });
    expect(spent).toBe(400); // the credits were taken back before the provider was asked
    expect(new Set(sent).size).toBe(1);
    expect(await balance(u.token)).toBe(0);
  });

  // Defect 2: two refunds of a user who can afford only one both passed a read-then-act check.
  it('two concurrent refunds of two orders the user can pay back only once: exactly one succeeds', async () => {
    const u = await h.login('refund-two-orders');
    const a = await completedOrder(u.token);
    const b = await completedOrder(u.token);
    await spend(u.token, 100, 'half');
    const sent = countProviderRefunds();
    const [ra, rb] = await Promise.all([refund(a.id), refund(b.id)]);
    expect([ra.status, rb.status].sort()).toEqual([200, 400]);
    expect(sent).toHaveLength(1);
    expect([ra, rb].find((r) => r.status === 200)!.body.credits_deducted).toBe(100);
    expect(await balance(u.token)).toBe(0);
    expect((await ledger(u.token)).filter((e) => e.type === 'refund')).toHaveLength(1);
  });

  it('credits spent while the provider is being asked cannot be spent: they are already taken back', async () => {
    const u = await h.login('refund-spend-during');
    const o = await completedOrder(u.token);
    let spent: number | undefined;
    h.deps.payments.refund = async (req) => {
      spent = (await spend(u.token, 60, 'during')).status;
      return realPayments.refund(req);
    };
    const res = await refund(o.id);
    expect(res.body).toMatchObject({ refund_status: 'succeeded', credits_deducted: 100 });
    expect(spent).toBe(400);
    expect(await balance(u.token)).toBe(0);
  });

  it('10 concurrent duplicate refunds get the same answer, one provider refund and one deduction', async () => {
    const u = await h.login('refund-race');
    const o = await completedOrder(u.token);
    await sandbox('/sandbox/refund-settings', { status: 'PROCESSING' });
    const sent = countProviderRefunds();
    const results = await Promise.all(Array.from({ length: 10 }, () => refund(o.id)));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    for (const r of results) expect(r.body).toEqual(results[0]!.body);
    expect(results[0]!.body).toMatchObject({ refund_status: 'processing', credits_deducted: 100 });
    expect(new Set(sent).size).toBe(1);
    expect((await ledger(u.token)).filter((e) => e.type === 'refund')).toHaveLength(1);
    expect(await balance(u.token)).toBe(0);
  });
});

describe('admin refunds: PROCESSING is followed to its outcome', () => {
  it('keeps the order completed while processing; the query then records SUCCESS and projects refunded', async () => {
    const u = await h.login('refund-processing');
    const o = await completedOrder(u.token);
    await sandbox('/sandbox/refund-settings', { status: 'PROCESSING' });
    const res = await refund(o.id);
    expect(res.body).toMatchObject({
      status: 'completed',
      refund_status: 'processing',
      credits_deducted: 100,
    });
    expect(await orderStatus(u.token, o.id)).toBe('completed');
    expect((await refundState(o.id)).body.refund_status).toBe('processing');
    await sandbox(`/sandbox/refunds/${res.body.out_refund_no}/succeed?notify=false`, {});
    const done = await refundState(o.id);
    expect(done.body).toMatchObject({
      status: 'refunded',
      refund_status: 'succeeded',
      credits_deducted: 100,
    });
    expect(await orderStatus(u.token, o.id)).toBe('refunded');
    expect(await balance(u.token)).toBe(0);
  });

  for (const [knob, state] of [
    ['close', 'closed'],
    ['abnormal', 'abnormal'],
  ] as const) {
    it(`gives the credits back once when the refund ends ${state}; the operator retries under a new number`, async () => {
      const u = await h.login(`refund-${state}`);
      const o = await completedOrder(u.token);
      await sandbox('/sandbox/refund-settings', { status: 'PROCESSING' });
      const first = await refund(o.id);
      await sandbox(`/sandbox/refunds/${first.body.out_refund_no}/${knob}?notify=false`, {});
      const ended = await refundState(o.id);
      expect(ended.body).toMatchObject({
        status: 'completed',
        refund_status: state,
        credits_deducted: 100,
        credits_returned: 100,
      });
      expect((await refundState(o.id)).body).toEqual(ended.body);
      expect((await refund(o.id)).body).toEqual(ended.body); // a plain repeat starts nothing new
      expect(await balance(u.token)).toBe(100);
      expect(await orderStatus(u.token, o.id)).toBe('completed');

      await sandbox('/sandbox/refund-settings', { status: 'SUCCESS' });
      const retry = await refund(o.id, { retry_of: first.body.out_refund_no });
      expect(retry.body).toMatchObject({ status: 'refunded', refund_status: 'succeeded', attempt: 2 });
      expect(retry.body.out_refund_no).not.toBe(first.body.out_refund_no);
      expect((await refund(o.id, { retry_of: first.body.out_refund_no })).body).toEqual(retry.body);
      expect(await balance(u.token)).toBe(0);
      expect((await ledger(u.token)).map((e) => e.amount)).toEqual([-100, 100, -100, 100]);
    });
  }

  it('records a definitive provider refusal as failed and gives the credits back', async () => {
    const u = await h.login('refund-rejected');
    const o = await completedOrder(u.token);
    h.deps.payments.refund = async () => ({
      ok: false,
      error: { kind: 'provider_rejected', message: 'NO_AUTH', code: 'NO_AUTH' },
    });
    const res = await refund(o.id);
    expect(res.body).toMatchObject({ refund_status: 'failed', credits_deducted: 100, credits_returned: 100 });
    expect(await balance(u.token)).toBe(100);
    expect((await refund(o.id, { retry_of: 'Rnot-this-order' })).status).toBe(400);
  });

  it('answers 502 while the provider cannot be reached, and the same call later finishes it', async () => {
    const u = await h.login('refund-outage');
    const o = await completedOrder(u.token);
    h.deps.payments.refund = async () => ({
      ok: false,
      error: { kind: 'provider_unavailable', message: 'down' },
    });
    const down = await refund(o.id);
    expect(down.status).toBe(502);
    expect(down.body.detail).toContain('退款已登记');
    expect(await balance(u.token)).toBe(0);
    Object.assign(h.deps.payments, realPayments);
    const retried = await refund(o.id);
    expect(retried.body).toMatchObject({ refund_status: 'succeeded', attempt: 1, credits_deducted: 100 });
    expect(await balance(u.token)).toBe(0);
  });
});
