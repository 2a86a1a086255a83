import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { createGatewayNotifications } from '../../src/adapters/payment/gateway/notifications';
import { createGatewayPayments } from '../../src/adapters/payment/gateway/payments';
import { SIGNATURE_HEADER } from '../../src/adapters/payment/gateway/signature';
import { systemClock } from '../../src/adapters/system/clock';
import type { PaymentParams, Payments } from '../../src/domain/payment';
import { CALLBACK_SECRET, createRequest, eventually, startSandbox } from '../sandbox/harness';

let sb: ReturnType<typeof startSandbox>;
let payments: Payments<PaymentParams>;

beforeAll(() => {
  sb = startSandbox();
  payments = createGatewayPayments({ baseUrl: sb.url, timeoutMs: 2000 });
});
afterAll(() => sb.stop());

const force = (no: string, action: string) =>
  fetch(`${sb.url}/sandbox/trades/${no}/${action}?notify=false`, { method: 'POST' });
const control = (path: string, body: unknown = {}) =>
  fetch(`${sb.url}${path}`, { method: 'POST', body: JSON.stringify(body) });

describe('GatewayPayments against the sandbox', () => {
  it('creates a prepay and reuses it with a fresh signature on repeat', async () => {
    const req = createRequest();
    const first = await payments.createPayment(req);
    const second = await payments.createPayment(req);
    if (!first.ok || !second.ok) throw new Error('create failed');
    expect(first.value.appId).toBe('wxd0000000sandbox');
    expect(first.value.timeStamp).toMatch(/^\d{10}$/);
    expect(first.value.packageValue).toMatch(/^prepay_id=wx\d+$/);
    expect(first.value.signType).toBe('RSA');
    expect(first.value.outTradeNo).toBe(req.outTradeNo);
    expect(second.value.packageValue).toBe(first.value.packageValue);
    expect(second.value.nonceStr).not.toBe(first.value.nonceStr);
    expect(second.value.paySign).not.toBe(first.value.paySign);
  });

  it('rejects the same outTradeNo with a different amount', async () => {
    const req = createRequest();
    await payments.createPayment(req);
    const res = await payments.createPayment({ ...req, amountFen: 1 });
    expect(res).toEqual({
      ok: false,
      error: { kind: 'provider_rejected', message: expect.any(String), code: '409' },
    });
  });

  it('queries NOT_FOUND, then NOTPAY, then SUCCESS after a payment whose callback was lost', async () => {
    const req = createRequest();
    expect(await payments.query(req.outTradeNo)).toEqual({
      ok: true,
      value: { state: 'NOT_FOUND', transactionId: null, amountFen: null, paidAt: null },
    });
    await payments.createPayment(req);
    expect(await payments.query(req.outTradeNo)).toEqual({
      ok: true,
      value: { state: 'NOTPAY', transactionId: null, amountFen: 990, paidAt: null },
    });
    expect((await force(req.outTradeNo, 'pay')).status).toBe(200);
    const paid = await payments.query(req.outTradeNo);
    if (!paid.ok) throw new Error('query failed');
    expect(paid.value.state).toBe('SUCCESS');
    expect(paid.value.transactionId).toMatch(/^4200\d{24}$/);
    expect(paid.value.amountFen).toBe(990);
    expect(paid.value.paidAt).toBeInstanceOf(Date);
    expect(sb.sandbox.deliveries().filter((d) => d.order_no === req.outTradeNo)).toEqual([]);
  });

  it('closes an open trade, after which no new prepay is possible', async () => {
    const req = createRequest();
    await payments.createPayment(req);
    expect(await payments.close(req.outTradeNo)).toEqual({ ok: true, value: 'closed' });
    expect(await payments.close(req.outTradeNo)).toEqual({ ok: true, value: 'closed' });
    expect(await payments.query(req.outTradeNo)).toMatchObject({ ok: true, value: { state: 'CLOSED' } });
    const again = await payments.createPayment(req);
    expect(again.ok ? 'ok' : again.error.kind).toBe('provider_rejected');
  });

  it('closes a trade that was never created, so a late create cannot start a payment', async () => {
    const req = createRequest();
    expect(await payments.close(req.outTradeNo)).toEqual({ ok: true, value: 'closed' });
    expect((await payments.createPayment(req)).ok).toBe(false);
  });

  it('answers already_paid when closing a paid trade', async () => {
    const req = createRequest();
    await payments.createPayment(req);
    await force(req.outTradeNo, 'pay');
    expect(await payments.close(req.outTradeNo)).toEqual({ ok: true, value: 'already_paid' });
  });

  it('refunds idempotently per outRefundNo', async () => {
    const req = createRequest();
    await payments.createPayment(req);
    await force(req.outTradeNo, 'pay');
    const refund = {
      outTradeNo: req.outTradeNo,
      outRefundNo: `R${req.outTradeNo}`,
      refundFen: 990,
      totalFen: 990,
      reason: 'test',
    };
    const first = await payments.refund(refund);
    const second = await payments.refund(refund);
    if (!first.ok) throw new Error('refund failed');
    expect(first.value.status).toBe('SUCCESS');
    expect(second).toEqual(first);
    expect(await payments.queryRefund(refund.outRefundNo)).toEqual(first);
    expect(await payments.query(req.outTradeNo)).toMatchObject({ ok: true, value: { state: 'REFUND' } });
    const conflict = await payments.refund({ ...refund, refundFen: 1 });
    expect(conflict.ok ? 'ok' : conflict.error.kind).toBe('provider_rejected');
  });

  it('ends a PROCESSING refund as the sandbox is told, and signs the refund callback like the payment one', async () => {
    const received: { signature: string | null; body: string }[] = [];
    const receiver = Bun.serve({
      port: 0,
      async fetch(r) {
        received.push({ signature: r.headers.get(SIGNATURE_HEADER), body: await r.text() });
        return Response.json({ message: 'ok' });
      },
    });
    try {
      await control('/sandbox/refund-settings', { status: 'PROCESSING' });
      const req = createRequest();
      await payments.createPayment(req);
      await force(req.outTradeNo, 'pay');
      const refund = {
        outTradeNo: req.outTradeNo,
        outRefundNo: `R${req.outTradeNo}`,
        refundFen: 990,
        totalFen: 990,
        reason: 'x',
        notifyUrl: `http://127.0.0.1:${receiver.port}/api/orders/callback/refund`,
      };
      const first = await payments.refund(refund);
      expect(first).toMatchObject({ ok: true, value: { status: 'PROCESSING' } });
      expect(received).toEqual([]);
      expect((await control(`/sandbox/refunds/${refund.outRefundNo}/close`)).status).toBe(200);
      expect(await payments.queryRefund(refund.outRefundNo)).toMatchObject({
        ok: true,
        value: { status: 'CLOSED' },
      });
      await eventually(() => received[0]);
      const notifications = createGatewayNotifications({ secrets: [CALLBACK_SECRET], clock: systemClock });
      expect(
        notifications.verifyRefund(
          new Headers({ [SIGNATURE_HEADER]: received[0]!.signature! }),
          received[0]!.body,
        ),
      ).toMatchObject({
        ok: true,
        value: {
          outRefundNo: refund.outRefundNo,
          outTradeNo: req.outTradeNo,
          status: 'CLOSED',
          refundFen: 990,
        },
      });
      // A closed refund moved no money: a new refund number may refund the trade again.
      const again = await payments.refund({ ...refund, outRefundNo: `R2${req.outTradeNo}` });
      expect(again).toMatchObject({ ok: true, value: { status: 'PROCESSING' } });
      expect((await control(`/sandbox/refunds/${refund.outRefundNo}/succeed`)).status).toBe(409);
    } finally {
      await control('/sandbox/refund-settings', { status: 'SUCCESS' });
      await receiver.stop(true);
    }
  });

  it('can carry a refund out and lose its answer, which the adapter reports as unavailable', async () => {
    const req = createRequest();
    await payments.createPayment(req);
    await force(req.outTradeNo, 'pay');
    const refund = {
      outTradeNo: req.outTradeNo,
      outRefundNo: `R${req.outTradeNo}`,
      refundFen: 990,
      totalFen: 990,
      reason: 'x',
    };
    await control('/sandbox/refund-settings', { drop_answers: 1 });
    expect(await payments.refund(refund)).toMatchObject({
      ok: false,
      error: { kind: 'provider_unavailable' },
    });
    expect(await payments.refund(refund)).toMatchObject({ ok: true, value: { status: 'SUCCESS' } });
  });

  it('refuses to refund an unpaid trade and reports an unknown refund as rejected', async () => {
    const req = createRequest();
    await payments.createPayment(req);
    const res = await payments.refund({
      outTradeNo: req.outTradeNo,
      outRefundNo: `R${req.outTradeNo}`,
      refundFen: 990,
      totalFen: 990,
      reason: 'x',
    });
    expect(res.ok ? 'ok' : res.error.kind).toBe('provider_rejected');
    const unknown = await payments.queryRefund('Rnonexistent01');
    expect(unknown.ok ? 'ok' : unknown.error).toMatchObject({ kind: 'provider_rejected', code: '404' });
  });
});

describe('GatewayPayments when the gateway misbehaves', () => {
  const expectUnavailable = async (p: Payments) => {
    const req = createRequest();
    const results = [
      await p.createPayment(req),
      await p.query(req.outTradeNo),
      await p.close(req.outTradeNo),
      await p.refund({
        outTradeNo: req.outTradeNo,
        outRefundNo: 'R123456',
        refundFen: 1,
        totalFen: 1,
        reason: '',
      }),
      await p.queryRefund('R123456'),
    ];
    for (const r of results) expect(r.ok ? 'ok' : r.error.kind).toBe('provider_unavailable');
  };

  const stub = (handler: (req: Request) => Response | Promise<Response>) =>
    Bun.serve({ port: 0, fetch: handler });

  it('is unavailable when nothing listens', async () => {
    await expectUnavailable(createGatewayPayments({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 1000 }));
  });

  const cases: [string, () => Response | Promise<Response>][] = [
    ['HTTP 500', () => new Response('oops', { status: 500 })],
    ['HTTP 503 with an envelope', () => Response.json({ code: 200, data: {} }, { status: 503 })],
    ['garbage', () => new Response('<html>bad gateway</html>', { status: 200 })],
    ['an envelope with code 500', () => Response.json({ code: 500, message: 'upstream' })],
    ['code 200 without data', () => Response.json({ code: 200, message: 'ok' })],
    [
      'code 200 with data of the wrong shape',
      () => Response.json({ code: 200, data: { trade_state: 'PAID?' } }),
    ],
    ['a hang (timeout)', () => new Promise<Response>(() => {})],
  ];
  for (const [name, respond] of cases) {
    it(`is unavailable on ${name}`, async () => {
      const server = stub(respond);
      try {
        await expectUnavailable(
          createGatewayPayments({ baseUrl: `http://localhost:${server.port}`, timeoutMs: 200 }),
        );
      } finally {
        await server.stop(true);
      }
    });
  }
});
