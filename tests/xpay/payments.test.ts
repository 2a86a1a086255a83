import { beforeEach, describe, expect, it } from 'bun:test';
import {
  apiPaySig,
  clientPaySig,
  createXpayPayments,
  IOS_REFUND_REFUSED,
  userSignature,
  type XpayConfig,
} from '../../src/adapters/payment/xpay';
import type { CreatePaymentRequest } from '../../src/domain/payment';
import { APP_KEYS, OFFER_ID, xpayHarness } from './harness';

const config: XpayConfig = { env: 1, offerId: OFFER_ID, appKey: APP_KEYS[1] };
const OPENID = 'oBuyer00000000000000000000001';
const SESSION_KEY = 'c2Vzc2lvbi1rZXktMTIzNA==';

const request = (over: Partial<CreatePaymentRequest> = {}): CreatePaymentRequest => ({
  outTradeNo: 'P20230701120000abcd1234',
  description: '100积分套餐',
  amountFen: 990,
  openid: OPENID,
  notifyUrl: 'http://unused',
  expiresAt: new Date('2030-01-01T00:00:00Z'),
  sessionKey: SESSION_KEY,
  providerProductId: 'credits_100',
  ...over,
});

describe('xpay Payments adapter (against the xpay simulator)', () => {
  let h: ReturnType<typeof xpayHarness>;
  let payments: ReturnType<typeof createXpayPayments>;
  const owners = new Map<string, string>();
  beforeEach(() => {
    h = xpayHarness();
    h.sessions.set(OPENID, SESSION_KEY);
    owners.clear();
    owners.set('P20230701120000abcd1234', OPENID);
    payments = createXpayPayments(config, h.api, {
      openidOfOrder: async (no) => owners.get(no) ?? null,
      openidOfRefund: async (no) => (no.startsWith('R') ? OPENID : null),
    });
  });

  async function pay(platform?: 'ios') {
    const p = await payments.createPayment(request());
    if (!p.ok) throw new Error(p.error.message);
    const paid = await h.control('/xpaysim/request-virtual-payment', {
      ...p.value,
      openid: OPENID,
      platform,
    });
    expect(paid.status).toBe(200);
    return p.value;
  }

  it('signs signData exactly as sent: fields in order, paySig with the env AppKey, signature with the session_key', async () => {
    const p = await payments.createPayment(request());
    if (!p.ok) throw new Error('create failed');
    expect(p.value.mode).toBe('short_series_goods');
    expect(p.value.signData).toBe(
      '{"offerId":"1450000001","buyQuantity":1,"env":1,"currencyType":"CNY","productId":"credits_100","goodsPrice":990,"outTradeNo":"P20230701120000abcd1234","attach":"order:P20230701120000abcd1234"}',
    );
    expect(p.value.paySig).toBe(clientPaySig(APP_KEYS[1], p.value.signData));
    expect(p.value.signature).toBe(userSignature(SESSION_KEY, p.value.signData));
    expect(p.value.paySig).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(p.value)).not.toContain(SESSION_KEY);
  });

  it('refuses to sign without a session_key or an item id', async () => {
    expect((await payments.createPayment(request({ sessionKey: undefined }))).ok).toBe(false);
    expect((await payments.createPayment(request({ providerProductId: undefined }))).ok).toBe(false);
  });

  it('the simulated client refuses a stale session_key (-15005), a wrong AppKey (-15006) and a wrong price (-15013)', async () => {
    const p = await payments.createPayment(request());
    if (!p.ok) throw new Error('create failed');
    h.sessions.set(OPENID, 'rotated-by-a-later-login');
    const stale = await h.control('/xpaysim/request-virtual-payment', { ...p.value, openid: OPENID });
    expect(stale.body.errCode).toBe(-15005);
    h.sessions.set(OPENID, SESSION_KEY);
    const other = createXpayPayments({ ...config, appKey: APP_KEYS[0] }, h.api, {
      openidOfOrder: async () => OPENID,
      openidOfRefund: async () => null,
    });
    const wrongKey = await other.createPayment(request());
    if (!wrongKey.ok) throw new Error('create failed');
    expect(
      (await h.control('/xpaysim/request-virtual-payment', { ...wrongKey.value, openid: OPENID })).body
        .errCode,
    ).toBe(-15006);
    const cheap = await payments.createPayment(request({ amountFen: 1 }));
    if (!cheap.ok) throw new Error('create failed');
    expect(
      (await h.control('/xpaysim/request-virtual-payment', { ...cheap.value, openid: OPENID })).body.errCode,
    ).toBe(-15013);
  });

  it('query: NOT_FOUND before payment, SUCCESS with paid_fee and transaction after; pay_sig over the exact bytes sent', async () => {
    expect(await payments.query('P20230701120000abcd1234')).toMatchObject({
      ok: true,
      value: { state: 'NOT_FOUND' },
    });
    await pay();
    h.resetBodies();
    const q = await payments.query('P20230701120000abcd1234');
    expect(q).toMatchObject({ ok: true, value: { state: 'SUCCESS', amountFen: 990 } });
    expect(q.ok && q.value.transactionId).toMatch(/^42/);
    expect(h.sentBodies()).toEqual([
      '{"openid":"oBuyer00000000000000000000001","env":1,"order_id":"P20230701120000abcd1234"}',
    ]);
    expect(apiPaySig(APP_KEYS[1], '/xpay/query_order', h.sentBodies()[0]!)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a lagging query_order (still 1 after payment) is NOTPAY, never guessed paid', async () => {
    await h.control('/xpaysim/faults', { queryLagMs: 60_000 });
    await pay();
    expect(await payments.query('P20230701120000abcd1234')).toMatchObject({
      ok: true,
      value: { state: 'NOTPAY' },
    });
  });

  it('maps -1 and 268490015 to provider_unavailable, a signature error to provider_rejected', async () => {
    await pay();
    for (const errcode of [-1, 268490015]) {
      await h.control('/xpaysim/faults', { api: [{ api: 'query_order', errcode, times: 1 }] });
      expect(await payments.query('P20230701120000abcd1234')).toMatchObject({
        ok: false,
        error: { kind: 'provider_unavailable' },
      });
    }
    const forged = createXpayPayments({ ...config, appKey: 'not-the-appkey' }, h.api, {
      openidOfOrder: async () => OPENID,
      openidOfRefund: async () => null,
    });
    expect(await forged.query('P20230701120000abcd1234')).toMatchObject({
      ok: false,
      error: { kind: 'provider_rejected', code: '268490003' },
    });
  });

  it('confirmDelivery calls notify_provide_goods only while WeChat shows the order undelivered', async () => {
    h.setAcknowledge(false); // the push is never acknowledged: WeChat still shows status 2
    await pay();
    expect(await payments.confirmDelivery!('P20230701120000abcd1234')).toEqual({
      ok: true,
      value: undefined,
    });
    let o = await h.control('/xpaysim/orders/P20230701120000abcd1234');
    expect(o.body).toMatchObject({ status: 4, provide_notified: 1 });
    expect(await payments.confirmDelivery!('P20230701120000abcd1234')).toEqual({
      ok: true,
      value: undefined,
    });
    o = await h.control('/xpaysim/orders/P20230701120000abcd1234');
    expect(o.body.provide_notified).toBe(1);
  });

  it('close: no close API at WeChat — paid is already_paid, unpaid is closed', async () => {
    expect(await payments.close('P20230701120000abcd1234')).toEqual({ ok: true, value: 'closed' });
    await pay();
    expect(await payments.close('P20230701120000abcd1234')).toEqual({ ok: true, value: 'already_paid' });
  });

  it('refund: refund_order with left_fee from query_order, PROCESSING, then SUCCESS by query; repeating it asks nothing new', async () => {
    await h.control('/xpaysim/faults', { refundOutcome: 'PROCESSING' });
    await pay();
    const req = {
      outTradeNo: 'P20230701120000abcd1234',
      outRefundNo: 'R2023070112abcdefgh',
      refundFen: 990,
      totalFen: 990,
      reason: 'x',
    };
    const first = await payments.refund(req);
    expect(first).toMatchObject({ ok: true, value: { status: 'PROCESSING', outRefundNo: req.outRefundNo } });
    h.resetBodies();
    expect(await payments.refund(req)).toMatchObject({ ok: true, value: { status: 'PROCESSING' } });
    expect(h.sentBodies().some((b) => b.includes('refund_fee'))).toBe(false);
    await h.control(`/xpaysim/refunds/${req.outRefundNo}/succeed`, {});
    expect(await payments.queryRefund(req.outRefundNo)).toMatchObject({
      ok: true,
      value: { status: 'SUCCESS' },
    });
    expect(await payments.query('P20230701120000abcd1234')).toMatchObject({
      ok: true,
      value: { state: 'REFUND' },
    });
  });

  it('refund of an iOS (Apple IAP) order is refused with the operator-facing reason; nothing is asked of refund_order', async () => {
    await pay('ios');
    h.resetBodies();
    const r = await payments.refund({
      outTradeNo: 'P20230701120000abcd1234',
      outRefundNo: 'R2023070112ios00001',
      refundFen: 990,
      totalFen: 990,
      reason: 'x',
    });
    expect(r).toMatchObject({ ok: false, error: { kind: 'provider_rejected', message: IOS_REFUND_REFUSED } });
    expect(h.sentBodies().some((b) => b.includes('refund_fee'))).toBe(false);
  });

  it('a refund WeChat fails (status 7) reads ABNORMAL', async () => {
    await h.control('/xpaysim/faults', { refundOutcome: 'FAILED' });
    await pay();
    await payments.refund({
      outTradeNo: 'P20230701120000abcd1234',
      outRefundNo: 'R2023070112failed01',
      refundFen: 990,
      totalFen: 990,
      reason: 'x',
    });
    await Bun.sleep(5);
    expect(await payments.queryRefund('R2023070112failed01')).toMatchObject({
      ok: true,
      value: { status: 'ABNORMAL' },
    });
  });
});

describe('xpay refund racing a concurrent call with the same refund number', () => {
  it('answers the refund the other call made, never a refusal, when left_fee is already gone', async () => {
    const h = xpayHarness();
    const openid = 'oBuyer00000000000000000000002';
    h.sessions.set(openid, SESSION_KEY);
    let firstLook = true;
    const lookup = {
      openidOfOrder: async () => openid,
      // The first look at the refund number happens before the other call's refund_order.
      openidOfRefund: async () => {
        if (!firstLook) return openid;
        firstLook = false;
        return null;
      },
    };
    const payments = createXpayPayments(config, h.api, lookup);
    const p = await payments.createPayment(request({ openid, outTradeNo: 'P20230701120000race0001' }));
    if (!p.ok) throw new Error('create failed');
    await h.control('/xpaysim/request-virtual-payment', { ...p.value, openid });
    const other = createXpayPayments(config, h.api, {
      openidOfOrder: async () => openid,
      openidOfRefund: async () => openid,
    });
    const req = {
      outTradeNo: 'P20230701120000race0001',
      outRefundNo: 'R2023070112race0001',
      refundFen: 990,
      totalFen: 990,
      reason: 'x',
    };
    // The other call refunds and WeChat finishes it: left_fee is 0 when ours reads the pay order.
    expect((await other.refund(req)).ok).toBe(true);
    await Bun.sleep(5);
    expect(await payments.refund(req)).toMatchObject({ ok: true, value: { status: 'SUCCESS' } });
  });
});
