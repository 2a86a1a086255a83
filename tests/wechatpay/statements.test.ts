import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { parseTradeBill } from '../../src/adapters/payment/wechatpay/statements';
import { type Harness, paymentRequest, startHarness } from './harness';

const beijingDate = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

/** The v3 trade bill: signed tradebill answer → unsigned gzip file → SHA1 check → rows. */
describe('WeChat Pay trade bill', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());

  it('downloads, checks and reads the day’s paid trades and successful refunds', async () => {
    const paid = paymentRequest(h);
    const refunded = paymentRequest(h);
    for (const req of [paid, refunded]) {
      expect((await h.payments.createPayment(req)).ok).toBe(true);
      await h.control(`/v3sim/trades/${req.outTradeNo}/pay?notify=false`);
    }
    const refund = await h.payments.refund({
      outTradeNo: refunded.outTradeNo,
      outRefundNo: `R${refunded.outTradeNo}`,
      refundFen: 990,
      totalFen: 990,
      reason: '管理员退款',
    });
    expect(refund.ok).toBe(true);
    await h.control(`/v3sim/refunds/R${refunded.outTradeNo}/succeed?notify=false`);

    const bill = await h.statements.download(beijingDate());
    if (!bill.ok) throw new Error(bill.error.message);
    expect(bill.value.trades.map((t) => [t.outTradeNo, t.amountFen])).toEqual([
      [paid.outTradeNo, 990],
      [refunded.outTradeNo, 990],
    ]);
    expect(
      bill.value.trades.every((t) => t.transactionId?.startsWith('42') && t.paidAt instanceof Date),
    ).toBe(true);
    expect(bill.value.refunds).toEqual([
      { outRefundNo: `R${refunded.outTradeNo}`, outTradeNo: refunded.outTradeNo, refundFen: 990 },
    ]);
  });

  it('reads a bill by column name and refuses unreadable rows and foreign headers', () => {
    const header = '交易时间,微信订单号,商户订单号,交易状态,订单金额,商户退款单号,退款金额,退款状态';
    const ok = parseTradeBill(
      '2023-07-01',
      `${header}\r\n\`2023-07-01 12:01:00,\`4200001,\`P1,\`SUCCESS,\`9.9,\`0,\`0.00,\`\r\n总交易单数\r\n\`1\r\n`,
    );
    expect(ok).toEqual({
      ok: true,
      value: {
        date: '2023-07-01',
        trades: [
          {
            outTradeNo: 'P1',
            transactionId: '4200001',
            amountFen: 990,
            paidAt: new Date('2023-07-01T04:01:00Z'),
          },
        ],
        refunds: [],
      },
    });
    expect(parseTradeBill('2023-07-01', `${header}\r\n\`x,\`1,\`P1,\`SUCCESS,\`abc,\`,\`,\`\r\n`).ok).toBe(
      false,
    );
    expect(parseTradeBill('2023-07-01', 'a,b,c\r\n').ok).toBe(false);
  });
});
