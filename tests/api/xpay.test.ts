import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { clientPaySig, userSignature } from '../../src/adapters/payment/xpay';
import { type HttpHarness, httpHarness } from './harness';
import { XPAY_CONFIG, xpayHttpHarness } from './xpay-harness';

type Xh = Awaited<ReturnType<typeof xpayHttpHarness>>;

describe('PAYMENT_PROVIDER=xpay over HTTP (app.handle)', () => {
  let h: Xh;
  beforeAll(async () => {
    h = await xpayHttpHarness({ adminCodes: ['xp-admin'] });
  });
  afterAll(() => h.stop());

  async function order(code: string, productId = 1) {
    const u = await h.login(code);
    const created = await h.request('POST', '/api/orders/create', {
      token: u.token,
      body: { product_id: productId },
    });
    expect(created.status).toBe(200);
    return { ...u, id: created.body.order_id as number, orderNo: created.body.order_no as string };
  }

  it('pay answers wx.requestVirtualPayment arguments: signData as signed, paySig with the AppKey, signature with the newest session_key', async () => {
    const o = await order('xp-shape');
    const pay = await h.request('POST', `/api/orders/pay/${o.id}`, { token: o.token });
    expect(pay.status).toBe(200);
    expect(Object.keys(pay.body).sort()).toEqual(['client_call', 'message', 'payment_data']);
    expect(pay.body.client_call).toBe('wx.requestVirtualPayment');
    const p = pay.body.payment_data;
    expect(Object.keys(p).sort()).toEqual(['mode', 'outTradeNo', 'paySig', 'signData', 'signature']);
    expect(p.mode).toBe('short_series_goods');
    expect(JSON.parse(p.signData)).toEqual({
      offerId: XPAY_CONFIG.offerId,
      buyQuantity: 1,
      env: 1,
      currencyType: 'CNY',
      productId: 'credits_100',
      goodsPrice: 990,
      outTradeNo: o.orderNo,
      attach: `order:${o.orderNo}`,
    });
    expect(p.paySig).toBe(clientPaySig(XPAY_CONFIG.appKey, p.signData));
    const sessionKey = h.sessions.get(o.user.openid)!;
    expect(p.signature).toBe(userSignature(sessionKey, p.signData));
    // Never returned, never logged, never stored in the clear.
    expect(JSON.stringify(pay.body)).not.toContain(sessionKey);
    expect(JSON.stringify(h.logs)).not.toContain(sessionKey);
    expect(await h.rawKeys.latest(o.user.id)).not.toContain(sessionKey);
  });

  it('Swagger documents both pay answers, the virtual one with client_call and an example', async () => {
    const spec = await h.request('GET', '/swagger/json');
    const pay = spec.body.paths['/api/orders/pay/{order_id}'].post;
    const ok = JSON.stringify(pay.responses['200']);
    expect(ok).toContain('wx.requestVirtualPayment');
    expect(ok).toContain('packageValue');
    expect(ok).toContain('short_series_goods');
    expect(pay.responses['409']).toBeDefined();
  });

  it('a later login replaces the session_key: the next pay call signs with the new one', async () => {
    const o = await order('xp-rotate');
    const first = (await h.request('POST', `/api/orders/pay/${o.id}`, { token: o.token })).body.payment_data;
    await h.login('xp-rotate');
    const second = (await h.request('POST', `/api/orders/pay/${o.id}`, { token: o.token })).body.payment_data;
    expect(second.signature).not.toBe(first.signature);
    expect(second.signature).toBe(userSignature(h.sessions.get(o.user.openid)!, second.signData));
    // The simulated client refuses the stale one (-15005), accepts the fresh one.
    const stale = await h.sim('/xpaysim/request-virtual-payment', { ...first, openid: o.user.openid });
    expect(stale.body.errCode).toBe(-15005);
    const fresh = await h.sim('/xpaysim/request-virtual-payment', { ...second, openid: o.user.openid });
    expect(fresh.status).toBe(200);
  });

  it('a product without an xpay item cannot be paid: 409 with a detail, nothing signed', async () => {
    const admin = await h.login('xp-admin');
    const created = await h.request('POST', '/api/admin/products', {
      token: admin.token,
      body: { name: '无道具', credits: 10, price: 1 },
    });
    expect(created.body.xpay_product_id).toBeNull();
    const o = await order('xp-noitem', created.body.id);
    const pay = await h.request('POST', `/api/orders/pay/${o.id}`, { token: o.token });
    expect(pay.status).toBe(409);
    expect(pay.body.detail).toContain('道具');
  });

  it('admin: xpay_product_id is validated on create and PATCH, shown to admins only', async () => {
    const admin = await h.login('xp-admin');
    for (const bad of ['has space', '', 'x'.repeat(65), 'ünïcode', 123])
      expect(
        (
          await h.request('POST', '/api/admin/products', {
            token: admin.token,
            body: { name: 'p', credits: 1, price: 1, xpay_product_id: bad },
          })
        ).status,
      ).toBe(400);
    const made = await h.request('POST', '/api/admin/products', {
      token: admin.token,
      body: { name: '1000积分', credits: 1000, price: 69.9, xpay_product_id: 'credits_1000' },
    });
    expect(made.body.xpay_product_id).toBe('credits_1000');
    const id = made.body.id;
    expect(
      (
        await h.request('PATCH', `/api/admin/products/${id}`, {
          token: admin.token,
          body: { xpay_product_id: 'bad id' },
        })
      ).status,
    ).toBe(400);
    const patched = await h.request('PATCH', `/api/admin/products/${id}`, {
      token: admin.token,
      body: { xpay_product_id: 'credits-1000_v2' },
    });
    expect(patched.body).toMatchObject({ xpay_product_id: 'credits-1000_v2', version: 2 });
    const cleared = await h.request('PATCH', `/api/admin/products/${id}`, {
      token: admin.token,
      body: { xpay_product_id: null },
    });
    expect(cleared.body.xpay_product_id).toBeNull();
    const catalog = await h.request('GET', '/api/products/');
    expect(catalog.body[0]).not.toHaveProperty('xpay_product_id');
  });

  it('delivery push: checked against the order, settled once through the settle use case; the success callback grants nothing', async () => {
    const o = await order('xp-push');
    const p = (await h.request('POST', `/api/orders/pay/${o.id}`, { token: o.token })).body.payment_data;
    expect((await h.sim('/xpaysim/request-virtual-payment', { ...p, openid: o.user.openid })).status).toBe(
      200,
    );
    // The client's success callback has fired; until a push (or query) arrives nothing is granted.
    expect((await h.request('GET', `/api/orders/${o.id}`, { token: o.token })).body.status).toBe('pending');
    const push = h.pushes.find((m) => m.OutTradeNo === o.orderNo)!;
    const deliver = h.handlers.get('xpay_goods_deliver_notify')!;
    const forged = [
      { ...push, OpenId: 'oSomeoneElse0000000000000000' },
      { ...push, GoodsInfo: { ...(push.GoodsInfo as object), ActualPrice: 1 } },
      { ...push, GoodsInfo: { ...(push.GoodsInfo as object), ProductId: 'credits_500' } },
      { ...push, Env: 0 },
      { ...push, OutTradeNo: 'P20990101000000zzzzzzzz' },
    ];
    for (const m of forged) expect((await deliver(m)).ok).toBe(false);
    expect((await h.request('GET', '/api/users/me', { token: o.token })).body.credits).toBe(0);
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => deliver(push)));
    expect(outcomes.every((r) => r.ok)).toBe(true);
    for (let i = 0; i < 15; i++) expect((await deliver(push)).ok).toBe(true);
    expect((await h.request('GET', '/api/users/me', { token: o.token })).body.credits).toBe(100);
    expect(
      (await h.deps.ledger.list(o.user.id, { skip: 0, limit: 10 })).map((e) => e.idempotencyKey),
    ).toEqual([`purchase:${o.id}`]);
  });
});

describe('xpay refunds of iOS (Apple IAP) orders', () => {
  it('are refused with a 409 detail the operator reads; nothing is recorded or deducted', async () => {
    const h = await xpayHttpHarness({ adminCodes: ['ios-admin'] });
    try {
      const u = await h.login('ios-buyer');
      const created = await h.request('POST', '/api/orders/create', {
        token: u.token,
        body: { product_id: 1 },
      });
      const id = created.body.order_id as number;
      const p = (await h.request('POST', `/api/orders/pay/${id}`, { token: u.token })).body.payment_data;
      await h.sim('/xpaysim/request-virtual-payment', { ...p, openid: u.user.openid, platform: 'ios' });
      const push = h.pushes.find((m) => m.OutTradeNo === created.body.order_no)!;
      expect(push.WeChatPayInfo).toBeUndefined();
      expect((await h.handlers.get('xpay_goods_deliver_notify')!(push)).ok).toBe(true);
      const admin = await h.login('ios-admin');
      const refund = await h.request('POST', `/api/admin/orders/${id}/refund`, {
        token: admin.token,
        body: {},
      });
      expect(refund.status).toBe(409);
      expect(refund.body.detail).toContain('Apple');
      expect(await h.deps.refunds.attempts(id)).toEqual([]);
      expect((await h.request('GET', '/api/users/me', { token: u.token })).body.credits).toBe(100);
    } finally {
      h.stop();
    }
  });
});

describe('xpay: missing session_key (logged in before xpay was enabled)', () => {
  it('answers 409 telling the client to log in again, and signs after the next login', async () => {
    const h = await xpayHttpHarness({ virtualPayment: false });
    try {
      const u = await h.login('xp-before');
      // The operator switches to xpay; this user's login kept no session_key.
      (h.deps.settings as { virtualPayment?: boolean }).virtualPayment = true;
      const created = await h.request('POST', '/api/orders/create', {
        token: u.token,
        body: { product_id: 1 },
      });
      const pay = await h.request('POST', `/api/orders/pay/${created.body.order_id}`, { token: u.token });
      expect(pay.status).toBe(409);
      expect(pay.body.detail).toContain('重新登录');
      const again = await h.login('xp-before');
      const repaid = await h.request('POST', `/api/orders/pay/${created.body.order_id}`, {
        token: again.token,
      });
      expect(repaid.status).toBe(200);
    } finally {
      h.stop();
    }
  });
});

describe('gateway provider: the seed clients keep their exact pay answer', () => {
  let g: HttpHarness;
  beforeAll(async () => {
    g = await httpHarness();
  });
  afterAll(() => g.stop());
  it('has no client_call and the wx.requestPayment fields', async () => {
    const { token } = await g.login('gw-shape');
    const created = await g.request('POST', '/api/orders/create', { token, body: { product_id: 1 } });
    const pay = await g.request('POST', `/api/orders/pay/${created.body.order_id}`, { token });
    expect(Object.keys(pay.body).sort()).toEqual(['message', 'payment_data']);
    expect(Object.keys(pay.body.payment_data).sort()).toEqual(
      ['appId', 'nonceStr', 'outTradeNo', 'packageValue', 'paySign', 'signType', 'timeStamp'].sort(),
    );
  });
});
