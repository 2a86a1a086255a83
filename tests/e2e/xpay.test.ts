import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { sandboxOpenid } from '../../src/adapters/sandbox/login';
import { SANDBOX_APPID } from '../../src/app/config';
import { readStore } from './ledger-db';
import { client, eventually, type Stack, startStack, WITHOUT_ORDER_LIMITS } from './stack';

type Api = ReturnType<typeof client>;
// biome-ignore lint/suspicious/noExplicitAny: simulator answers are read as JSON and asserted on.
type Json = any;

/**
 * PAYMENT_PROVIDER=xpay over real processes: the API, the sandbox (jscode2session with session_keys,
 * stable_token, the xpay simulator pushing signed and encrypted messages) and FerretDB. Nothing is
 * configured beyond the provider: AppKeys, offerId, push token and AES key are the shared defaults.
 */
describe('PAYMENT_PROVIDER=xpay end to end (API + sandbox xpay + FerretDB)', () => {
  let stack: Stack;
  let api: Api;
  const sim = async (path: string, body?: unknown): Promise<{ status: number; body: Json }> => {
    const res = await fetch(`${stack.sandbox}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  const faults = (f: unknown) => sim('/xpaysim/faults', f);
  const attemptsOf = async (orderNo: string) =>
    (
      (await sim('/xpaysim/pushes')).body as { id: string; acknowledged: boolean; status: number | null }[]
    ).filter((a) => a.id === orderNo);

  beforeAll(async () => {
    stack = await startStack({
      apiEnv: {
        PAYMENT_PROVIDER: 'xpay',
        ...WITHOUT_ORDER_LIMITS,
        ADMIN_OPENIDS: sandboxOpenid(SANDBOX_APPID, 'xp-admin'),
        // The sweeper stays out of the way (60 s) until its own test restarts the API with it on.
        RECONCILE_INTERVAL_SECONDS: '60',
      },
    });
    api = client(stack.api);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function order(code: string, productId = 1) {
    const token = await api.login(code);
    const me = (await api.call('GET', '/api/users/me', { token })).body;
    const created = await api.call('POST', '/api/orders/create', { token, body: { product_id: productId } });
    const pay = await api.call('POST', `/api/orders/pay/${created.body.order_id}`, { token });
    expect(pay.status).toBe(200);
    expect(pay.body.client_call).toBe('wx.requestVirtualPayment');
    return {
      token,
      userId: me.id as number,
      openid: me.openid as string,
      id: created.body.order_id as number,
      orderNo: created.body.order_no as string,
      payment: pay.body.payment_data,
    };
  }
  type Order = Awaited<ReturnType<typeof order>>;
  /** What the mini program does with our answer: wx.requestVirtualPayment({mode, signData, paySig, signature}). */
  const requestVirtualPayment = (o: Order, extra: Record<string, unknown> = {}) =>
    sim('/xpaysim/request-virtual-payment', { ...o.payment, openid: o.openid, ...extra });
  const status = async (o: Order) =>
    (await api.call('GET', `/api/orders/${o.id}`, { token: o.token })).body.status as string;
  const completed = (o: Order) =>
    eventually(async () => ((await status(o)) === 'completed' ? true : undefined));

  it('login → create → pay → wx.requestVirtualPayment → push → completed, credits granted once; WeChat marks it delivered', async () => {
    const o = await order('xp-alice', 2);
    expect((await requestVirtualPayment(o)).status).toBe(200);
    await completed(o);
    expect((await api.call('GET', '/api/users/me', { token: o.token })).body.credits).toBe(500);
    expect((await readStore(stack.mongoUri, o.userId)).keys).toEqual([`purchase:${o.id}`]);
    const wx = await eventually(async () => {
      const r = (await sim(`/xpaysim/orders/${o.orderNo}`)).body;
      return r.status === 4 ? r : undefined;
    });
    expect(wx.provide_notified).toBe(0); // the acknowledged push itself recorded the delivery
  });

  it('15 sequential duplicates and 5 concurrent deliveries of one push grant once', async () => {
    const o = await order('xp-dups');
    await faults({ push: { concurrent: 4, duplicates: 15 } });
    await requestVirtualPayment(o);
    await faults({});
    await completed(o);
    const attempts = await eventually(async () => {
      const a = await attemptsOf(o.orderNo);
      return a.length >= 20 ? a : undefined;
    });
    expect(attempts.every((a) => a.acknowledged)).toBe(true);
    const store = await readStore(stack.mongoUri, o.userId);
    expect(store.keys).toEqual([`purchase:${o.id}`]);
    expect(store.balance).toBe(100);
  });

  for (const [name, fault] of [
    ['a forged push (wrong push signature)', { badSignature: true }],
    ['a push with a tampered amount', { wrongAmount: true }],
    ['a push of the other env', { wrongEnv: true }],
  ] as const) {
    it(`rejects ${name}: WeChat is asked to retry, nothing changes; the genuine push then settles`, async () => {
      const o = await order(`xp-forged-${Object.keys(fault)[0]}`);
      await faults({ push: fault });
      await requestVirtualPayment(o);
      await faults({});
      const rejected = await eventually(async () => {
        const a = await attemptsOf(o.orderNo);
        return a.length >= 2 ? a : undefined;
      });
      expect(rejected.every((a) => !a.acknowledged)).toBe(true);
      expect(await status(o)).toBe('pending');
      expect((await readStore(stack.mongoUri, o.userId)).keys).toEqual([]);
      expect((await sim(`/xpaysim/orders/${o.orderNo}/push`, {})).status).toBe(200);
      await completed(o);
      expect((await readStore(stack.mongoUri, o.userId)).keys).toEqual([`purchase:${o.id}`]);
    });
  }

  it('a lost push is healed by payment-status (query_order); the success callback alone never grants', async () => {
    const o = await order('xp-lost');
    await faults({ push: { lost: true } });
    await requestVirtualPayment(o);
    await faults({});
    expect(await status(o)).toBe('pending');
    const s = await api.call('GET', `/api/orders/payment-status/${o.id}`, { token: o.token });
    expect(s.body).toMatchObject({ status: 'completed', paid: true });
    expect((await readStore(stack.mongoUri, o.userId)).keys).toEqual([`purchase:${o.id}`]);
  });

  it('refund: refund_order, then xpay_refund_notify; credits back once under concurrent calls', async () => {
    const o = await order('xp-refund', 2);
    await requestVirtualPayment(o);
    await completed(o);
    const admin = await api.login('xp-admin');
    const refund = () =>
      api.call('POST', `/api/admin/orders/${o.id}/refund`, { token: admin, body: { reason: '用户申请' } });
    const [first, second] = await Promise.all([refund(), refund()]);
    expect(first.status).toBe(200);
    expect(second.body.out_refund_no).toBe(first.body.out_refund_no);
    expect(first.body).toMatchObject({ credits_deducted: 500, refund_amount: 39.9 });
    // The result arrives by push; on a loaded machine that takes longer than a request.
    await eventually(async () => ((await status(o)) === 'refunded' ? true : undefined), 30_000).catch(
      async (e) => {
        const no = first.body.out_refund_no as string;
        console.error('refund not settled', {
          pushes: (await sim('/xpaysim/pushes')).body.filter((a: { id: string }) => a.id === no),
          refundOrder: (await sim(`/xpaysim/orders/${no}`)).body,
          api: stack.logs.filter((l) => l.includes(no) || l.includes('push')).slice(-20),
        });
        throw e;
      },
    );
    const store = await readStore(stack.mongoUri, o.userId);
    expect(store.keys).toEqual([`purchase:${o.id}`, `refund:${o.id}`]);
    expect(store.balance).toBe(0);
    expect((await sim(`/xpaysim/orders/${first.body.out_refund_no}`)).body).toMatchObject({
      status: 5,
      order_type: 1,
    });
  });

  it('a refund WeChat fails (RetCode ≠ 0) gives the credits back once', async () => {
    const o = await order('xp-refund-fail');
    await requestVirtualPayment(o);
    await completed(o);
    await faults({ refundOutcome: 'FAILED' });
    const admin = await api.login('xp-admin');
    const r = await api.call('POST', `/api/admin/orders/${o.id}/refund`, { token: admin, body: {} });
    expect(r.status).toBe(200);
    await faults({});
    await eventually(async () => {
      const keys = (await readStore(stack.mongoUri, o.userId)).keys;
      return keys.length === 3 ? keys : undefined;
    });
    const store = await readStore(stack.mongoUri, o.userId);
    expect(store.balance).toBe(100);
    expect(await status(o)).toBe('completed');
  });

  it('an iOS (Apple IAP) order cannot be refunded by us: 409 with the reason, nothing taken', async () => {
    const o = await order('xp-ios');
    await requestVirtualPayment(o, { platform: 'ios' });
    await completed(o);
    const admin = await api.login('xp-admin');
    const r = await api.call('POST', `/api/admin/orders/${o.id}/refund`, { token: admin, body: {} });
    expect(r.status).toBe(409);
    expect(r.body.detail).toContain('Apple');
    expect((await readStore(stack.mongoUri, o.userId)).keys).toEqual([`purchase:${o.id}`]);
  });

  it('the sweeper alone heals a lost push and tells WeChat it was delivered (notify_provide_goods)', async () => {
    await stack.restartApi({ RECONCILE_INTERVAL_SECONDS: '1', RECONCILE_AFTER_SECONDS: '0' });
    const o = await order('xp-sweep');
    await faults({ push: { lost: true } });
    await requestVirtualPayment(o);
    await faults({});
    // Only the database is read from here on: no payment-status call, no push.
    await eventually(async () => ((await status(o)) === 'completed' ? true : undefined), 20_000);
    expect((await readStore(stack.mongoUri, o.userId)).keys).toEqual([`purchase:${o.id}`]);
    const wx = await eventually(async () => {
      const r = (await sim(`/xpaysim/orders/${o.orderNo}`)).body;
      return r.provide_notified === 1 ? r : undefined;
    }, 20_000);
    expect(wx.status).toBe(4);
  });
});
