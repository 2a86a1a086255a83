import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { type HttpHarness, httpHarness } from './harness';

const LIST_FIELDS = [
  'id',
  'order_no',
  'user_id',
  'product_id',
  'amount',
  'credits',
  'status',
  'payment_id',
  'payment_time',
  'refund_time',
  'remark',
  'created_at',
  'updated_at',
];
const DETAIL_FIELDS = [
  'id',
  'order_no',
  'amount',
  'credits',
  'status',
  'payment_id',
  'payment_time',
  'refund_time',
  'remark',
  'created_at',
  'updated_at',
  'product_name',
  'product_description',
  'product_image_url',
];

describe('orders (SPEC §2)', () => {
  let h: HttpHarness;
  let token: string;
  beforeAll(async () => {
    h = await httpHarness();
    token = (await h.login('orders-user')).token;
  });
  afterAll(() => h.stop());

  const create = (productId: unknown, t = token) =>
    h.request('POST', '/api/orders/create', { token: t, body: { product_id: productId } });

  it('creates a pending order priced by the server', async () => {
    const res = await create(1);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['order_id', 'order_no', 'amount', 'credits', 'message']);
    expect(res.body).toMatchObject({ amount: 9.9, credits: 100, message: '订单创建成功' });
    expect(res.body.order_no).toMatch(/^P\d{14}[0-9a-z]{8}$/);
  });

  it('lists the caller’s orders newest first with exactly the seed’s fields', async () => {
    const { token: t } = await h.login('list-user');
    const a = (await create(1, t)).body.order_id;
    const b = (await create(2, t)).body.order_id;
    const res = await h.request('GET', '/api/orders/', { token: t });
    expect(res.body.map((o: { id: number }) => o.id)).toEqual([b, a]);
    expect(Object.keys(res.body[0])).toEqual(LIST_FIELDS);
    expect(res.body[0]).toMatchObject({
      status: 'pending',
      payment_id: null,
      payment_time: null,
      amount: 39.9,
      credits: 500,
    });
    expect(
      (await h.request('GET', '/api/orders/?skip=1&limit=1', { token: t })).body.map(
        (o: { id: number }) => o.id,
      ),
    ).toEqual([a]);
  });

  it('returns the detail with the product snapshot fields', async () => {
    const id = (await create(2)).body.order_id;
    const res = await h.request('GET', `/api/orders/${id}`, { token });
    expect(Object.keys(res.body)).toEqual(DETAIL_FIELDS);
    expect(res.body).toMatchObject({ id, product_name: '500积分套餐', product_description: '购买500积分' });
  });

  it('pays: returns wx.requestPayment fields, and paying again reuses the prepay', async () => {
    const id = (await create(1)).body.order_id;
    const first = await h.request('POST', `/api/orders/pay/${id}`, { token });
    expect(first.status).toBe(200);
    expect(first.body.message).toBe('创建支付成功');
    expect(Object.keys(first.body.payment_data)).toEqual([
      'appId',
      'timeStamp',
      'nonceStr',
      'packageValue',
      'signType',
      'paySign',
      'outTradeNo',
    ]);
    expect(first.body.payment_data.timeStamp).toMatch(/^\d{10}$/);
    const second = await h.request('POST', `/api/orders/pay/${id}`, { token });
    expect(second.body.payment_data.packageValue).toBe(first.body.payment_data.packageValue);
  });

  it('answers payment-status pending while unpaid, then completed once paid', async () => {
    const created = (await create(1)).body;
    await h.request('POST', `/api/orders/pay/${created.order_id}`, { token });
    const pending = await h.request('GET', `/api/orders/payment-status/${created.order_id}`, { token });
    expect(pending.body).toEqual({
      order_id: created.order_id,
      status: 'pending',
      paid: false,
      message: '支付进行中，状态: NOTPAY',
    });
    await fetch(`${h.sandbox.url}/sandbox/trades/${created.order_no}/pay?notify=false`, { method: 'POST' });
    const done = await h.request('GET', `/api/orders/payment-status/${created.order_id}`, { token });
    expect(done.body).toEqual({
      order_id: created.order_id,
      status: 'completed',
      paid: true,
      message: '支付成功',
    });
    const payAgain = await h.request('POST', `/api/orders/pay/${created.order_id}`, { token });
    expect(payAgain.status).toBe(400);
  });

  it('closes a failed (PAYERROR) trade at the provider before cancelling the order', async () => {
    const created = (await create(1)).body;
    await h.request('POST', `/api/orders/pay/${created.order_id}`, { token });
    await fetch(`${h.sandbox.url}/sandbox/trades/${created.order_no}/fail?notify=false`, { method: 'POST' });
    const status = await h.request('GET', `/api/orders/payment-status/${created.order_id}`, { token });
    expect(status.body).toMatchObject({ status: 'cancelled', paid: false });
    const trade = await (await fetch(`${h.sandbox.url}/sandbox/trades/${created.order_no}`)).json();
    expect(JSON.stringify(trade)).toContain('CLOSED');
  });

  it('grants nothing for a trade refunded before we ever settled it, and flags it', async () => {
    const { token: t } = await h.login('refunded-early');
    const created = (await create(1, t)).body;
    await h.request('POST', `/api/orders/pay/${created.order_id}`, { token: t });
    await fetch(`${h.sandbox.url}/sandbox/trades/${created.order_no}/pay?notify=false`, { method: 'POST' });
    const refund = await h.deps.payments.refund({
      outTradeNo: created.order_no,
      outRefundNo: `R${created.order_no.slice(1)}`,
      refundFen: 990,
      totalFen: 990,
      reason: 'merchant console',
    });
    expect(refund.ok).toBe(true);
    const status = await h.request('GET', `/api/orders/payment-status/${created.order_id}`, { token: t });
    expect(status.body).toMatchObject({
      status: 'pending',
      paid: false,
      message: '支付状态异常（已退款），请联系客服',
    });
    expect((await h.request('GET', '/api/users/me', { token: t })).body.credits).toBe(0);
    expect(h.logs.some((l) => l.event === 'payment.refunded_before_settlement')).toBe(true);
    const review = await h.deps.reviews.find(`${created.order_id}:refunded_before_settlement`);
    expect(review).toMatchObject({ orderNo: created.order_no, resolvedAt: null });
  });

  it('answers 502 and changes nothing when the gateway is unreachable', async () => {
    const { createApp } = await import('../../src/app/http/create-app');
    const { createGatewayPayments } = await import('../../src/adapters/payment/gateway/payments');
    const down = createApp({
      ...h.deps,
      payments: createGatewayPayments({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 500 }),
    });
    const id = (await create(1)).body.order_id;
    for (const path of [`/api/orders/pay/${id}`, `/api/orders/payment-status/${id}`]) {
      const res = await down.handle(
        new Request(`http://localhost${path}`, {
          method: path.includes('/pay/') ? 'POST' : 'GET',
          headers: { authorization: `Bearer ${token}` },
        }),
      );
      expect(res.status).toBe(502);
      expect(((await res.json()) as { detail: string }).detail).toBeTruthy();
    }
    expect((await h.request('GET', `/api/orders/${id}`, { token })).body.status).toBe('pending');
  });

  describe('bad input never gives a 500 and never changes state', () => {
    const orderCount = async (t: string) =>
      (await h.request('GET', '/api/orders/?limit=100', { token: t })).body.length;

    // Raw JSON so that numbers beyond double precision reach the server exactly as a client sent them.
    for (const productId of [
      '"1"',
      '-1',
      '0',
      '1.5',
      '99999999999999999999',
      '2147483648',
      '{"$gt":0}',
      'null',
      '[1]',
      'true',
      '1e400',
    ]) {
      it(`product_id ${productId} → 400`, async () => {
        const { token: t } = await h.login('bad-product-id');
        const before = await orderCount(t);
        const res = await h.request('POST', '/api/orders/create', {
          token: t,
          raw: `{"product_id": ${productId}}`,
        });
        expect(res.status).toBe(400);
        expect(typeof res.body.detail).toBe('string');
        expect(await orderCount(t)).toBe(before);
      });
    }

    it('missing product_id → 400', async () => {
      const res = await h.request('POST', '/api/orders/create', { token, body: {} });
      expect(res.status).toBe(400);
    });

    it('an unknown product → 404 商品不存在 and no order', async () => {
      const { token: t } = await h.login('unknown-product');
      const res = await create(77, t);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ detail: '商品不存在' });
      expect(await orderCount(t)).toBe(0);
    });

    it('an inactive product → 400 商品已下架', async () => {
      await h.deps.products.seed(
        [
          {
            id: 50,
            name: 'old',
            description: '',
            credits: 1,
            priceFen: 100,
            imageUrl: null,
            isActive: false,
            sortOrder: 5,
            xpayProductId: null,
          },
        ],
        new Date(),
      );
      expect((await create(50)).body).toEqual({ detail: '商品已下架' });
    });

    for (const extra of ['amount', 'credits', 'status', 'user_id']) {
      it(`an extra "${extra}" field is rejected, never used`, async () => {
        const { token: t, user } = await h.login(`extra-${extra}`);
        const res = await h.request('POST', '/api/orders/create', {
          token: t,
          body: { product_id: 1, [extra]: extra === 'status' ? 'completed' : 1 },
        });
        expect(res.status).toBe(400);
        expect(await orderCount(t)).toBe(0);
        expect(user.id).toBeGreaterThan(0);
      });
    }

    it("someone else's order is 404 for detail, pay and payment-status", async () => {
      const theirs = (await create(1)).body.order_id;
      const { token: other } = await h.login('other-user');
      for (const [method, path] of [
        ['GET', `/api/orders/${theirs}`],
        ['POST', `/api/orders/pay/${theirs}`],
        ['GET', `/api/orders/payment-status/${theirs}`],
      ] as const) {
        const res = await h.request(method, path, { token: other });
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ detail: '订单不存在' });
      }
      expect((await h.request('GET', `/api/orders/${theirs}`, { token })).body.status).toBe('pending');
    });

    for (const id of ['abc', '0', '-5', '1.5', '99999999999999999999']) {
      it(`order id ${id} → 400`, async () => {
        expect((await h.request('GET', `/api/orders/${id}`, { token })).status).toBe(400);
        expect((await h.request('POST', `/api/orders/pay/${id}`, { token })).status).toBe(400);
      });
    }

    it('every order route needs a token', async () => {
      for (const [method, path] of [
        ['POST', '/api/orders/create'],
        ['GET', '/api/orders/'],
        ['GET', '/api/orders/1'],
        ['POST', '/api/orders/pay/1'],
        ['GET', '/api/orders/payment-status/1'],
        ['GET', '/api/credits/transactions'],
      ] as const) {
        expect(
          (await h.request(method, path, method === 'POST' ? { body: { product_id: 1 } } : {})).status,
        ).toBe(401);
        // The token is checked before the body: no schema details leak to an unauthenticated caller.
        if (method === 'POST')
          expect((await h.request(method, path, { raw: '{"product_id": "x"}' })).status).toBe(401);
      }
    });
  });
});
