import { describe, expect, it } from 'bun:test';
import { readDelivery, readRefundNotice, type XpayConfig } from '../../src/adapters/payment/xpay';
import { refundStateOf, tradeStateOf } from '../../src/adapters/payment/xpay/mapping';

const config: XpayConfig = { env: 1, offerId: '1450000000', appKey: 'k' };

describe('xpay mapping (brief §1.7, §1.8)', () => {
  it('maps every query_order status', () => {
    const states = Array.from({ length: 12 }, (_, s) => tradeStateOf(s));
    expect(states).toEqual([
      'NOTPAY',
      'NOTPAY',
      'SUCCESS',
      'SUCCESS',
      'SUCCESS',
      'REFUND',
      'CLOSED',
      'SUCCESS',
      'REFUND',
      'REFUND',
      'REFUND',
      null,
    ]);
    expect([1, 2, 3, 5, 7, 8].map(refundStateOf)).toEqual([
      'PROCESSING',
      'PROCESSING',
      'PROCESSING',
      'SUCCESS',
      'ABNORMAL',
      'SUCCESS',
    ]);
  });

  const push = {
    OpenId: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
    OutTradeNo: 'P20250101120000abcd1234',
    Env: 1,
    WeChatPayInfo: { MchOrderNo: 'm', TransactionId: '4200001234202501011234567890', PaidTime: 1735704001 },
    GoodsInfo: {
      ProductId: 'credits_100',
      Quantity: 1,
      OrigPrice: 990,
      ActualPrice: 990,
      Attach: 'order:100',
    },
  };

  it('reads the brief’s deliver push, and the same with SDK casing and numbers as strings', () => {
    const expected = {
      outTradeNo: 'P20250101120000abcd1234',
      openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
      productId: 'credits_100',
      quantity: 1,
      paidFen: 990,
      transactionId: '4200001234202501011234567890',
      paidAt: new Date(1735704001 * 1000),
    };
    expect(readDelivery(push, config)).toEqual({ ok: true, value: expected });
    const silenceper = {
      openid: push.OpenId,
      outtradeno: push.OutTradeNo,
      env: '1',
      WechatPayInfo: { TransactionId: push.WeChatPayInfo.TransactionId, PaidTime: '1735704001' },
      goodsinfo: { productid: 'credits_100', quantity: '1', actualprice: '990' },
    };
    expect(readDelivery(silenceper, config)).toEqual({ ok: true, value: expected });
  });

  it('refuses the other env, a missing amount, a fractional one; iOS pushes have no transaction', () => {
    expect(readDelivery({ ...push, Env: 0 }, config).ok).toBe(false);
    expect(
      readDelivery({ ...push, GoodsInfo: { ...push.GoodsInfo, ActualPrice: undefined } }, config).ok,
    ).toBe(false);
    expect(readDelivery({ ...push, GoodsInfo: { ...push.GoodsInfo, ActualPrice: 9.9 } }, config).ok).toBe(
      false,
    );
    const { WeChatPayInfo: _w, ...ios } = push;
    expect(readDelivery(ios, config)).toMatchObject({
      ok: true,
      value: { transactionId: null, paidAt: null },
    });
  });

  it('reads refund results: RetCode 0 succeeded, anything else abnormal', () => {
    const r = { MchRefundId: 'R1', MchOrderId: 'P1', WxRefundId: 'w', RefundFee: 990, RetCode: 0 };
    expect(readRefundNotice(r)).toEqual({
      ok: true,
      value: { outRefundNo: 'R1', outTradeNo: 'P1', refundId: 'w', status: 'SUCCESS', refundFen: 990 },
    });
    expect(readRefundNotice({ ...r, RetCode: 3 })).toMatchObject({ ok: true, value: { status: 'ABNORMAL' } });
    expect(readRefundNotice({ ...r, RefundFee: -1 }).ok).toBe(false);
  });
});
