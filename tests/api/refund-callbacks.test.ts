import { describe, expect, it } from 'bun:test';
import { SIGNATURE_HEADER, signGatewayPayload } from '../../src/adapters/payment/gateway/signature';
import { createWechatPay, validateWechatPayConfig } from '../../src/adapters/payment/wechatpay';
import { aeadEncrypt } from '../../src/adapters/payment/wechatpay/crypto';
import { createSigner } from '../../src/adapters/sandbox/v3/gate';
import { generateMerchant, generateWechatpayKey } from '../../src/adapters/sandbox/v3/keys';
import { systemClock } from '../../src/adapters/system/clock';
import { cryptoRandom } from '../../src/adapters/system/random';
import type { AppDeps } from '../../src/app/http/context';
import { createApp } from '../../src/app/http/create-app';
import { refundOrder } from '../../src/domain/usecases/refund';
import { completedOrder, scriptedProvider } from '../domain/refund-fixture';
import { CALLBACK_SECRET, testDeps } from '../support/app';

// The refund-result routes through app.handle: memory storage, a provider that leaves refunds PROCESSING.
function appWith(over: (deps: AppDeps) => Partial<AppDeps>) {
  const base = testDeps({ gatewayUrl: 'http://127.0.0.1:9', wechatApiBase: 'http://127.0.0.1:9' });
  const provider = scriptedProvider({ initial: 'PROCESSING', later: 'PROCESSING' });
  const deps: AppDeps = { ...base.deps, payments: provider.payments };
  Object.assign(deps, over(deps));
  const app = createApp(deps);
  const post = async (path: string, raw: string, headers: Record<string, string>) => {
    const res = await app.handle(
      new Request(`http://localhost${path}`, { method: 'POST', headers, body: raw }),
    );
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  /** A completed order of user 1 with a PROCESSING refund. */
  const processingRefund = async () => {
    const order = await completedOrder(deps);
    const view = await refundOrder(deps)(order.id);
    if (!view.ok) throw new Error('refund failed');
    return { order, attempt: view.value.attempt, refundId: view.value.refundId! };
  };
  return { deps, post, processingRefund, logs: base.logs };
}

describe('POST /api/orders/callback/refund (gateway, signed)', () => {
  const { deps, post, processingRefund, logs } = appWith(() => ({}));
  const signed = (raw: string, secret = CALLBACK_SECRET) => ({
    'content-type': 'application/json',
    [SIGNATURE_HEADER]: signGatewayPayload(secret, raw, Math.floor(Date.now() / 1000)),
  });
  const body = (r: Awaited<ReturnType<typeof processingRefund>>, over: object = {}) =>
    JSON.stringify({
      out_refund_no: r.attempt.outRefundNo,
      out_trade_no: r.order.orderNo,
      refund_id: r.refundId,
      status: 'SUCCESS',
      refund_fen: 990,
      ...over,
    });

  it('records a SUCCESS once and projects the order refunded; a duplicate gets the same 200', async () => {
    const r = await processingRefund();
    const raw = body(r);
    expect(await post('/api/orders/callback/refund', raw, signed(raw))).toEqual({
      status: 200,
      body: { message: '处理退款回调成功' },
    });
    expect((await deps.orders.findById(r.order.id))?.status).toBe('refunded');
    expect((await post('/api/orders/callback/refund', raw, signed(raw))).status).toBe(200);
    expect((await deps.refunds.events(r.attempt.outRefundNo)).map((e) => e.stage)).toEqual([
      'processing',
      'final',
    ]);
  });

  it('gives the credits back once on CLOSED', async () => {
    const r = await processingRefund();
    const raw = body(r, { status: 'CLOSED' });
    await Promise.all([1, 2, 3].map(() => post('/api/orders/callback/refund', raw, signed(raw))));
    expect((await deps.ledger.findByKey(`refund-reversal:${r.attempt.outRefundNo}`))?.amount).toBe(100);
    expect((await deps.orders.findById(r.order.id))?.status).toBe('completed');
  });

  it('answers 401 to a forged signature and 400 to an unknown refund, changing nothing', async () => {
    const r = await processingRefund();
    const raw = body(r);
    expect(
      (await post('/api/orders/callback/refund', raw, signed(raw, 'forged-secret-xxxxxxxx'))).status,
    ).toBe(401);
    const unknown = body(r, { out_refund_no: 'Rnobody000001' });
    expect(await post('/api/orders/callback/refund', unknown, signed(unknown))).toEqual({
      status: 400,
      body: { detail: '退款单不存在' },
    });
    expect((await deps.orders.findById(r.order.id))?.status).toBe('completed');
    expect(logs.filter((l) => l.event === 'refund_callback.rejected').map((l) => l.fields.status)).toEqual([
      401, 400,
    ]);
  });
});

describe('POST /api/orders/notify/wechatpay/refund (WeChat Pay v3 REFUND.*)', () => {
  const m = generateMerchant();
  const key = generateWechatpayKey();
  const signer = createSigner([key], Date.now);
  const config = validateWechatPayConfig({ ...m, verifierKeys: { [key.serial]: key.publicPem } });
  if (!config.ok) throw new Error(config.error.join('; '));
  const { notifications } = createWechatPay(config.value, { clock: systemClock, random: cryptoRandom });
  const { deps, post, processingRefund } = appWith(() => ({
    wechatpayNotifications: notifications,
    gatewayNotifications: undefined,
  }));

  function envelope(resource: object, event = 'REFUND.SUCCESS') {
    const ciphertext = aeadEncrypt(m.apiV3Key, 'abcdefghijkl', 'refund', JSON.stringify(resource));
    const raw = JSON.stringify({
      id: 'EV-1',
      create_time: '2024-07-01T12:15:06+08:00',
      resource_type: 'encrypt-resource',
      event_type: event,
      summary: '退款成功',
      resource: {
        original_type: 'refund',
        algorithm: 'AEAD_AES_256_GCM',
        ciphertext,
        associated_data: 'refund',
        nonce: 'abcdefghijkl',
      },
    });
    return { raw, headers: signer.headers(raw) };
  }
  const resource = (r: Awaited<ReturnType<typeof processingRefund>>, status = 'SUCCESS') => ({
    mchid: m.mchid,
    out_trade_no: r.order.orderNo,
    transaction_id: '4200001863202305068344507881',
    out_refund_no: r.attempt.outRefundNo,
    refund_id: r.refundId,
    refund_status: status,
    user_received_account: '支付用户零钱',
    amount: { total: 990, refund: 990, payer_total: 990, payer_refund: 990 },
  });

  it('verifies, decrypts, records and answers 204; the order becomes refunded', async () => {
    const r = await processingRefund();
    const n = envelope(resource(r));
    expect(await post('/api/orders/notify/wechatpay/refund', n.raw, n.headers)).toEqual({
      status: 204,
      body: null,
    });
    expect((await deps.orders.findById(r.order.id))?.status).toBe('refunded');
    expect((await post('/api/orders/notify/wechatpay/refund', n.raw, signer.headers(n.raw))).status).toBe(
      204,
    );
  });

  it('answers REFUND.ABNORMAL with 204 and gives the credits back', async () => {
    const r = await processingRefund();
    const n = envelope(resource(r, 'ABNORMAL'), 'REFUND.ABNORMAL');
    expect((await post('/api/orders/notify/wechatpay/refund', n.raw, n.headers)).status).toBe(204);
    expect((await deps.ledger.findByKey(`refund-reversal:${r.attempt.outRefundNo}`))?.amount).toBe(100);
  });

  it('fails with {code:"FAIL"} and 4xx on a bad signature, an unknown refund or a payment event', async () => {
    const r = await processingRefund();
    const n = envelope(resource(r));
    expect(await post('/api/orders/notify/wechatpay/refund', `${n.raw} `, n.headers)).toMatchObject({
      status: 401,
      body: { code: 'FAIL' },
    });
    const unknown = envelope({ ...resource(r), out_refund_no: 'Rnobody000001' });
    expect(await post('/api/orders/notify/wechatpay/refund', unknown.raw, unknown.headers)).toEqual({
      status: 400,
      body: { code: 'FAIL', message: '退款单不存在' },
    });
    const payment = envelope(resource(r), 'TRANSACTION.SUCCESS');
    expect((await post('/api/orders/notify/wechatpay/refund', payment.raw, payment.headers)).status).toBe(
      400,
    );
    expect((await post('/api/orders/callback/refund', n.raw, n.headers)).status).toBe(404);
    expect((await deps.orders.findById(r.order.id))?.status).toBe('completed');
  });
});
