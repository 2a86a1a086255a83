import { describe, expect, it } from 'bun:test';
import { createGatewayStatements } from '../../src/adapters/payment/gateway/statements';

const answering = (body: unknown, status = 200) =>
  createGatewayStatements({
    baseUrl: 'http://gateway',
    timeoutMs: 1000,
    fetch: async () =>
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }),
  });

const row = {
  outTradeNo: 'P202307011200001234abcd',
  transactionId: '4200001234',
  totalFen: 990,
  successTime: '2023-07-01T12:01:00+08:00',
};

describe('gateway statements', () => {
  it('reads the day’s trades and refunds', async () => {
    const s = await answering({
      code: 200,
      message: '查询成功',
      data: {
        date: '2023-07-01',
        trades: [row],
        refunds: [{ outRefundNo: 'R202307011500001234abcd', outTradeNo: row.outTradeNo, refundFen: 990 }],
      },
    }).download('2023-07-01');
    expect(s).toEqual({
      ok: true,
      value: {
        date: '2023-07-01',
        trades: [
          {
            outTradeNo: row.outTradeNo,
            transactionId: '4200001234',
            amountFen: 990,
            paidAt: new Date('2023-07-01T04:01:00Z'),
          },
        ],
        refunds: [{ outRefundNo: 'R202307011500001234abcd', outTradeNo: row.outTradeNo, refundFen: 990 }],
      },
    });
  });

  it('treats a statement not ready, another date or an unreadable row as unavailable (never partial)', async () => {
    const notReady = await answering({ code: 404, message: '对账单未生成' }).download('2023-07-01');
    expect(notReady.ok === false && notReady.error.kind).toBe('provider_unavailable');
    const otherDay = await answering({
      code: 200,
      message: '',
      data: { date: '2023-06-30', trades: [], refunds: [] },
    }).download('2023-07-01');
    expect(otherDay.ok).toBe(false);
    const badRow = await answering({
      code: 200,
      message: '',
      data: { date: '2023-07-01', trades: [{ ...row, totalFen: '9.90' }], refunds: [] },
    }).download('2023-07-01');
    expect(badRow.ok).toBe(false);
    const down = await answering({ error: 'boom' }, 503).download('2023-07-01');
    expect(down.ok === false && down.error.kind).toBe('provider_unavailable');
  });
});
