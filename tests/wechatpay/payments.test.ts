import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { createWechatPay } from '../../src/adapters/payment/wechatpay';
import { parseVerifierKey, paySignMessage, rsaVerify } from '../../src/adapters/payment/wechatpay/crypto';
import { type Harness, orderNo, paymentRequest, startHarness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

const must = <T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T => {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value;
};

describe('prepay → wx.requestPayment → notification', () => {
  it('returns signed requestPayment params that the simulator accepts, then delivers a verified event', async () => {
    const req = paymentRequest(h);
    const p = must(await h.payments.createPayment(req));
    expect(p.appId).toBe(h.config.appid);
    expect(p.signType).toBe('RSA');
    expect(p.timeStamp).toMatch(/^\d{10}$/);
    expect(p.packageValue).toMatch(/^prepay_id=wx\d{14}/);
    const key = parseVerifierKey(h.sim.merchant.merchantPublicKeyPem);
    expect(rsaVerify(paySignMessage(p.appId, p.timeStamp, p.nonceStr, p.packageValue), p.paySign, key)).toBe(
      true,
    );

    const paid = await h.control('/v3sim/request-payment', { ...p, package: p.packageValue });
    expect(paid.status).toBe(200);
    await h.waitFor(() => h.received.some((r) => r.ok && r.value.outTradeNo === req.outTradeNo));
    const event = h.received.find((r) => r.ok && r.value.outTradeNo === req.outTradeNo);
    expect(event?.ok && event.value).toMatchObject({
      outTradeNo: req.outTradeNo,
      state: 'SUCCESS',
      amountFen: 990,
    });
    expect(event?.ok && event.value.transactionId).toMatch(/^42000\d{23}$/);
    expect(event?.ok && event.value.paidAt instanceof Date).toBe(true);
  });

  it('re-paying reuses the prepay_id with a fresh nonce and signature', async () => {
    const req = paymentRequest(h);
    const a = must(await h.payments.createPayment(req));
    const b = must(await h.payments.createPayment(req));
    expect(b.packageValue).toBe(a.packageValue);
    expect(b.nonceStr).not.toBe(a.nonceStr);
  });

  it('rejects a forged paySign at the simulator', async () => {
    const p = must(await h.payments.createPayment(paymentRequest(h)));
    const res = await h.control('/v3sim/request-payment', {
      ...p,
      package: p.packageValue,
      nonceStr: 'other',
    });
    expect(res.status).toBe(400);
  });

  it('maps a PARAM_ERROR (4-byte UTF-8 in description) to provider_rejected', async () => {
    const r = await h.payments.createPayment({ ...paymentRequest(h), description: '积分😀' });
    expect(r.ok || r.error).toMatchObject({ kind: 'provider_rejected', code: 'PARAM_ERROR' });
  });
});

describe('query, close, refund', () => {
  it('reports NOT_FOUND, NOTPAY, then SUCCESS', async () => {
    const no = orderNo();
    expect(must(await h.payments.query(no)).state).toBe('NOT_FOUND');
    must(await h.payments.createPayment(paymentRequest(h, no)));
    expect(must(await h.payments.query(no))).toEqual({
      state: 'NOTPAY',
      transactionId: null,
      amountFen: 990,
      paidAt: null,
    });
    expect((await h.control(`/v3sim/trades/${no}/pay?notify=false`)).status).toBe(200);
    const s = must(await h.payments.query(no));
    expect(s.state).toBe('SUCCESS');
    expect(s.transactionId).toMatch(/^42000/);
  });

  it("refuses a validly signed answer about another mini-program's trade, as the notification path does", async () => {
    const no = orderNo();
    must(await h.payments.createPayment(paymentRequest(h, no)));
    await h.control(`/v3sim/trades/${no}/pay?notify=false`);
    const other = createWechatPay(
      { ...h.config, appid: 'wx00000000000other' },
      { clock: { now: () => new Date() }, random: { string: (n) => 'a'.repeat(n) } },
    );
    const r = await other.payments.query(no);
    expect(r.ok || r.error.kind).toBe('provider_unavailable');
    expect(must(await h.payments.query(no)).state).toBe('SUCCESS');
  });

  it('closes an unpaid trade (204) and refuses a new prepay on it', async () => {
    const req = paymentRequest(h);
    must(await h.payments.createPayment(req));
    expect(must(await h.payments.close(req.outTradeNo))).toBe('closed');
    expect(must(await h.payments.query(req.outTradeNo)).state).toBe('CLOSED');
    const again = await h.payments.createPayment(req);
    expect(again.ok || again.error).toMatchObject({ kind: 'provider_rejected', code: 'ORDER_CLOSED' });
  });

  it('answers already_paid when closing a paid trade', async () => {
    const req = paymentRequest(h);
    must(await h.payments.createPayment(req));
    await h.control(`/v3sim/trades/${req.outTradeNo}/pay?notify=false`);
    expect(must(await h.payments.close(req.outTradeNo))).toBe('already_paid');
  });

  it('refunds once per out_refund_no and reports the refund state', async () => {
    const req = paymentRequest(h);
    must(await h.payments.createPayment(req));
    await h.control(`/v3sim/trades/${req.outTradeNo}/pay?notify=false`);
    const refundReq = {
      outTradeNo: req.outTradeNo,
      outRefundNo: `R${req.outTradeNo}`,
      refundFen: 990,
      totalFen: 990,
      reason: '管理员退款',
    };
    const r1 = must(await h.payments.refund(refundReq));
    expect(r1).toMatchObject({ outRefundNo: refundReq.outRefundNo, status: 'PROCESSING' });
    expect(r1.refundId).toMatch(/^50\d{27}$/);
    expect(must(await h.payments.refund(refundReq)).refundId).toBe(r1.refundId);
    expect(must(await h.payments.queryRefund(refundReq.outRefundNo)).status).toBe('SUCCESS');
    expect(must(await h.payments.query(req.outTradeNo)).state).toBe('REFUND');
  });

  it('sends a verified REFUND.* notification to the notify_url the refund named', async () => {
    const req = paymentRequest(h);
    must(await h.payments.createPayment(req));
    await h.control(`/v3sim/trades/${req.outTradeNo}/pay?notify=false`);
    const outRefundNo = `R${req.outTradeNo}`;
    const accepted = must(
      await h.payments.refund({
        outTradeNo: req.outTradeNo,
        outRefundNo,
        refundFen: 990,
        totalFen: 990,
        reason: '管理员退款',
        notifyUrl: h.refundNotifyUrl,
      }),
    );
    expect(accepted.status).toBe('PROCESSING');
    await h.waitFor(() => h.receivedRefunds.some((r) => r.ok && r.value.outRefundNo === outRefundNo));
    expect(h.receivedRefunds.find((r) => r.ok && r.value.outRefundNo === outRefundNo)).toEqual({
      ok: true,
      value: {
        outRefundNo,
        outTradeNo: req.outTradeNo,
        refundId: accepted.refundId,
        status: 'SUCCESS',
        refundFen: 990,
      },
    });
  });

  it.each([
    ['CLOSED', 'close'],
    ['ABNORMAL', 'abnormal'],
  ] as const)(
    'ends a held refund %s when forced, notifies, and frees the amount for a new number',
    async (status, knob) => {
      const req = paymentRequest(h);
      must(await h.payments.createPayment(req));
      await h.control(`/v3sim/trades/${req.outTradeNo}/pay?notify=false`);
      await h.control('/v3sim/faults', { refund: { outcome: 'PROCESSING' } });
      const refund = (outRefundNo: string) =>
        h.payments.refund({
          outTradeNo: req.outTradeNo,
          outRefundNo,
          refundFen: 990,
          totalFen: 990,
          reason: 'x',
          notifyUrl: h.refundNotifyUrl,
        });
      try {
        const first = `R${req.outTradeNo}`;
        must(await refund(first));
        expect(must(await h.payments.queryRefund(first)).status).toBe('PROCESSING');
        expect((await refund(`R2${req.outTradeNo}`)).ok).toBe(false); // the amount is taken while processing
        expect((await h.control(`/v3sim/refunds/${first}/${knob}`)).status).toBe(200);
        expect(must(await h.payments.queryRefund(first)).status).toBe(status);
        await h.waitFor(() =>
          h.receivedRefunds.some((r) => r.ok && r.value.outRefundNo === first && r.value.status === status),
        );
        expect((await h.control(`/v3sim/refunds/${first}/succeed`)).status).toBe(409);
        expect(must(await refund(`R2${req.outTradeNo}`)).status).toBe('PROCESSING');
      } finally {
        await h.control('/v3sim/faults', {});
      }
    },
  );

  it('can carry a refund out and lose the answer (lost_response): unavailable, then the same number answers', async () => {
    const req = paymentRequest(h);
    must(await h.payments.createPayment(req));
    await h.control(`/v3sim/trades/${req.outTradeNo}/pay?notify=false`);
    const refundReq = {
      outTradeNo: req.outTradeNo,
      outRefundNo: `R${req.outTradeNo}`,
      refundFen: 990,
      totalFen: 990,
      reason: 'x',
    };
    await h.control('/v3sim/faults', { http: [{ endpoint: 'refund', kind: 'lost_response', times: 1 }] });
    try {
      const lost = await h.payments.refund(refundReq);
      expect(lost.ok || lost.error).toMatchObject({ kind: 'provider_unavailable' });
      expect(must(await h.payments.query(req.outTradeNo)).state).toBe('REFUND');
      expect(must(await h.payments.refund(refundReq)).outRefundNo).toBe(refundReq.outRefundNo);
    } finally {
      await h.control('/v3sim/faults', {});
    }
  });

  it('rejects refunding an unpaid trade and an unknown refund query', async () => {
    const req = paymentRequest(h);
    must(await h.payments.createPayment(req));
    const r = await h.payments.refund({
      outTradeNo: req.outTradeNo,
      outRefundNo: `R${req.outTradeNo}`,
      refundFen: 1,
      totalFen: 990,
      reason: '',
    });
    expect(r.ok || r.error).toMatchObject({ kind: 'provider_rejected', code: 'RESOURCE_NOT_EXISTS' });
    const q = await h.payments.queryRefund('R-none-000');
    expect(q.ok || q.error).toMatchObject({ kind: 'provider_rejected', code: 'RESOURCE_NOT_EXISTS' });
  });
});
