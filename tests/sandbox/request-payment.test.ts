import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { readFileSync } from 'node:fs';
import { createGatewayNotifications } from '../../src/adapters/payment/gateway/notifications';
import { createGatewayPayments } from '../../src/adapters/payment/gateway/payments';
import { merchantKey, paySign } from '../../src/adapters/sandbox/paysign';
import type { PaymentParams, Payments } from '../../src/domain/payment';
import { CALLBACK_SECRET, createRequest, eventually, SANDBOX_APPID, startSandbox } from './harness';

// A known key lets the test sign a paySign the sandbox must accept or refuse on its merits.
const keyPem = readFileSync(new URL('../fixtures/wechatpay/merchant_key.pem', import.meta.url), 'utf8');
const key = merchantKey(keyPem);

/** A local stand-in for the API's /api/orders/callback that records what it receives. */
const received: { headers: Headers; body: string }[] = [];
let failuresLeft = 0;
const receiver = Bun.serve({
  port: 0,
  async fetch(req) {
    received.push({ headers: req.headers, body: await req.text() });
    if (failuresLeft > 0) {
      failuresLeft--;
      return new Response('busy', { status: 500 });
    }
    return Response.json({ message: '处理支付回调成功' });
  },
});
const notifyUrl = `http://localhost:${receiver.port}/api/orders/callback`;

let sb: ReturnType<typeof startSandbox>;
let payments: Payments<PaymentParams>;
beforeAll(() => {
  sb = startSandbox({ merchantKeyPem: keyPem, timeScale: 0.001 });
  payments = createGatewayPayments({ baseUrl: sb.url, timeoutMs: 2000 });
});
afterAll(async () => {
  await sb.stop();
  await receiver.stop(true);
});

/** Exactly what the mini-program passes to wx.requestPayment. */
const wxArgs = (p: PaymentParams) => ({
  timeStamp: p.timeStamp,
  nonceStr: p.nonceStr,
  package: p.packageValue,
  signType: p.signType,
  paySign: p.paySign,
});
const requestPayment = (args: unknown) =>
  fetch(`${sb.url}/sandbox/request-payment`, { method: 'POST', body: JSON.stringify(args) });

async function prepay(): Promise<PaymentParams> {
  const res = await payments.createPayment(createRequest({ notifyUrl }));
  if (!res.ok) throw new Error(res.error.message);
  return res.value;
}

describe('POST /sandbox/request-payment', () => {
  it('refuses a tampered paySign', async () => {
    const p = await prepay();
    const res = await requestPayment({ ...wxArgs(p), nonceStr: 'TAMPERED' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errMsg: string }).errMsg).toStartWith('requestPayment:fail');
  });

  it('names what is missing, and the packageValue → package mistake', async () => {
    const p = await prepay();
    const res = await requestPayment(p); // the pay answer as it is, not the wx.requestPayment object
    expect(res.status).toBe(400);
    const { errMsg } = (await res.json()) as { errMsg: string };
    expect(errMsg).toContain('缺少 package');
    expect(errMsg).toContain('packageValue 应作为 package 传入');
  });

  it('refuses a correctly signed but unknown prepay', async () => {
    const pkg = 'prepay_id=wx00000000000000000000000000000000';
    const paySignValue = paySign(key, SANDBOX_APPID, '1700000000', 'NONCE', pkg);
    const res = await requestPayment({
      timeStamp: '1700000000',
      nonceStr: 'NONCE',
      package: pkg,
      signType: 'RSA',
      paySign: paySignValue,
    });
    expect(res.status).toBe(400);
  });

  it('pays, then delivers a callback the API can verify', async () => {
    const p = await prepay();
    const res = await requestPayment(wxArgs(p));
    expect(await res.json()).toEqual({ errMsg: 'requestPayment:ok' });
    const callback = await eventually(() => received.find((r) => r.body.includes(p.outTradeNo)));
    const verified = createGatewayNotifications({
      secrets: [CALLBACK_SECRET],
      clock: { now: () => new Date() },
    }).verify(callback.headers, callback.body);
    expect(verified).toMatchObject({
      ok: true,
      value: { outTradeNo: p.outTradeNo, state: 'SUCCESS', amountFen: 990 },
    });
    expect(await payments.query(p.outTradeNo)).toMatchObject({ ok: true, value: { state: 'SUCCESS' } });
    expect((await requestPayment(wxArgs(p))).status).toBe(400); // paying twice is refused
  });

  it('retries a failing receiver on the scaled schedule until it answers 2xx', async () => {
    const p = await prepay();
    failuresLeft = 2;
    expect((await requestPayment(wxArgs(p))).status).toBe(200);
    const attempts = await eventually(() => {
      const mine = sb.sandbox.deliveries().filter((d) => d.order_no === p.outTradeNo);
      return mine.length === 3 ? mine : undefined;
    });
    expect(attempts.map((d) => [d.attempt, d.http_status])).toEqual([
      [1, 500],
      [2, 500],
      [3, 200],
    ]);
    const listed = (await (
      await fetch(`${sb.url}/sandbox/deliveries?order_no=${p.outTradeNo}`)
    ).json()) as unknown[];
    expect(listed).toHaveLength(3);
  });
});

describe('sandbox knobs', () => {
  it('fails a trade and sends a PAYERROR callback', async () => {
    const p = await prepay();
    expect((await fetch(`${sb.url}/sandbox/trades/${p.outTradeNo}/fail`, { method: 'POST' })).status).toBe(
      200,
    );
    const callback = await eventually(() => received.find((r) => r.body.includes(p.outTradeNo)));
    expect(JSON.parse(callback.body)).toMatchObject({ status: 'PAYERROR', payment_id: '', amount: 9.9 });
    expect(await payments.query(p.outTradeNo)).toMatchObject({ ok: true, value: { state: 'PAYERROR' } });
  });

  it('shows a trade, and answers 404 JSON for an unknown one', async () => {
    const p = await prepay();
    const shown = await fetch(`${sb.url}/sandbox/trades/${p.outTradeNo}`);
    expect(await shown.json()).toMatchObject({
      out_trade_no: p.outTradeNo,
      trade_state: 'NOTPAY',
      total_fen: 990,
    });
    const unknown = await fetch(`${sb.url}/sandbox/trades/P20240101120000zzzzzzzz/pay`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: 'trade not found' });
  });

  it('answers /health', async () => {
    expect((await fetch(`${sb.url}/health`)).status).toBe(200);
  });
});
