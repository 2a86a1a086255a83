import { describe, expect, it } from 'bun:test';
import { FixedClock } from '../../src/adapters/system/clock';
import { err, ok } from '../../src/domain/result';
import { seedDemoProducts } from '../../src/domain/usecases/catalog';
import { recordNotification, rejectionLabel } from '../../src/domain/usecases/journal-notifications';
import { createOrder } from '../../src/domain/usecases/orders';
import { T0 } from '../support/builders';
import { domainDeps } from '../support/domain-deps';

/** A WeChat Pay APIv3 notification as received: signed headers, the payload encrypted. */
const wechatHeaders = () =>
  new Headers({
    'content-type': 'application/json',
    'Wechatpay-Signature': 'c2lnbmF0dXJlLW9mLXRoZS1ib2R5',
    'Wechatpay-Serial': '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
    'Wechatpay-Timestamp': '1688184000',
    'Wechatpay-Nonce': 'n0nce',
    Authorization: 'should-not-be-sent-but-is-redacted',
  });
const envelope = JSON.stringify({
  id: 'EV-2018022511223320873',
  event_type: 'TRANSACTION.SUCCESS',
  resource_type: 'encrypt-resource',
  resource: {
    algorithm: 'AEAD_AES_256_GCM',
    ciphertext: 'Q0lQSEVSVEVYVA==',
    associated_data: 'transaction',
    nonce: 'fdasflkja484w',
  },
});

async function setup() {
  const t = domainDeps({ clock: new FixedClock(T0) });
  await seedDemoProducts(t.deps)();
  const created = await createOrder(t.deps)(1, 1);
  if (!created.ok) throw new Error(created.error.kind);
  return { ...t, order: created.value, record: recordNotification(t.deps) };
}

describe('recordNotification', () => {
  it('keeps an accepted WeChat Pay notification on its order, with signature and ciphertext redacted', async () => {
    const t = await setup();
    const statement = {
      outTradeNo: t.order.orderNo,
      state: 'SUCCESS' as const,
      transactionId: '4200',
      amountFen: 990,
      paidAt: T0,
    };
    await t.record({
      route: 'notify',
      at: T0,
      headers: wechatHeaders(),
      rawBody: envelope,
      verified: ok(statement),
      handled: ok(undefined),
      status: 204,
    });
    const [e] = await t.deps.paymentEvents.listByOrder(t.order.orderNo, { limit: 10 });
    expect(e).toMatchObject({
      type: 'notification',
      action: 'notify',
      outcome: 'accepted',
      summary: '收到微信支付通知：已接受（SUCCESS）',
    });
    expect(e?.detail.headers).toEqual({
      'content-type': 'application/json',
      'wechatpay-signature': '[REDACTED]',
      'wechatpay-serial': '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
      'wechatpay-timestamp': '1688184000',
      'wechatpay-nonce': 'n0nce',
    });
    const body = JSON.parse(e?.detail.body as string);
    expect(body.resource).toEqual({
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: '[REDACTED]',
      associated_data: '[REDACTED]',
      nonce: 'fdasflkja484w',
    });
    expect(JSON.stringify(e)).not.toContain('c2lnbmF0dXJl');
    // Kept for the retention period (180 days unless TIMELINE_RETENTION_DAYS says otherwise).
    expect(e?.expiresAt).toEqual(new Date(T0.getTime() + 180 * 86_400_000));
  });

  it('files a notification that fails verification under no order when it names none, by its day', async () => {
    const t = await setup();
    const verified = err({
      kind: 'notification_unauthenticated' as const,
      message: 'signature verification failed',
    });
    await t.record({
      route: 'notify',
      at: T0,
      headers: wechatHeaders(),
      rawBody: envelope,
      verified,
      status: 401,
    });
    expect(await t.deps.paymentEvents.listByOrder(t.order.orderNo, { limit: 10 })).toEqual([]);
    const [e] = await t.deps.paymentEvents.listUnmatched('2023-07-01', { limit: 10 });
    expect(e).toMatchObject({ orderNo: null, outcome: 'rejected', message: 'signature verification failed' });
    expect(e?.summary).toBe('收到微信支付通知：已拒绝——签名校验失败（未通过验签，未做任何改动）');
  });

  it('keeps the body within its bound, with a marker', async () => {
    const t = await setup();
    const raw = JSON.stringify({ order_no: t.order.orderNo, pad: 'x'.repeat(20_000) });
    const verified = err({ kind: 'notification_invalid' as const, message: 'body is not JSON' });
    await t.record({
      route: 'callback',
      at: T0,
      headers: new Headers(),
      rawBody: raw,
      verified,
      status: 400,
    });
    const [e] = await t.deps.paymentEvents.listByOrder(t.order.orderNo, { limit: 1 });
    expect(String(e?.detail.body).length).toBeLessThan(8300);
    expect(e?.detail.body).toEndWith(`…[已截断，原长 ${raw.length} 字节]`);
    expect(e?.detail.body_bytes).toBe(raw.length);
  });

  it('keeps two records of one instant in the order they were made, whatever the random part of the ids', async () => {
    const t = await setup();
    // Random characters that sort the wrong way round: ordering must not depend on them.
    const draws = ['z', 'a'];
    const record = recordNotification({
      ...t.deps,
      random: { string: (length) => (draws.shift() ?? 'm').repeat(length) },
    });
    const refused = (tag: string) =>
      record({
        route: 'callback',
        at: T0,
        headers: new Headers(),
        rawBody: JSON.stringify({ order_no: t.order.orderNo, tag }),
        verified: err({ kind: 'notification_unauthenticated' as const, message: 'signature mismatch' }),
        status: 401,
      });
    await refused('first');
    await refused('second');
    const newestFirst = await t.deps.paymentEvents.listByOrder(t.order.orderNo, { limit: 10 });
    expect(newestFirst.map((e) => JSON.parse(String(e.detail.body)).tag)).toEqual(['second', 'first']);
  });

  it('stores at most the budget of unverified callbacks a minute, says so once, and always stores verified ones', async () => {
    const t = await setup();
    const deps = {
      ...t.deps,
      settings: {
        ...t.deps.settings,
        timeline: { retentionDays: 180, bodyMaxBytes: 8192, unverifiedPerMinute: 2 },
      },
    };
    const record = recordNotification(deps);
    const forged = (at: Date) =>
      record({
        route: 'callback',
        at,
        headers: new Headers(),
        rawBody: JSON.stringify({ order_no: t.order.orderNo }),
        verified: err({ kind: 'notification_unauthenticated' as const, message: 'signature mismatch' }),
        status: 401,
      });
    for (let i = 0; i < 5; i++) await forged(new Date(T0.getTime() + i * 1000));
    const genuine = {
      outTradeNo: t.order.orderNo,
      state: 'NOTPAY' as const,
      transactionId: null,
      amountFen: 990,
      paidAt: null,
    };
    await record({
      route: 'callback',
      at: new Date(T0.getTime() + 6000),
      headers: new Headers(),
      rawBody: '{}',
      verified: ok(genuine),
      handled: ok(undefined),
      status: 200,
    });
    const stored = () => t.deps.paymentEvents.listByOrder(t.order.orderNo, { limit: 50 });
    expect((await stored()).map((e) => e.outcome)).toEqual(['accepted', 'rejected', 'rejected']);
    expect(t.logs.filter((l) => l.event === 'timeline.unverified_not_recorded')).toEqual([
      { event: 'timeline.unverified_not_recorded', fields: { routes: 'payment', per_minute: 2 } },
    ]);
    // A new minute, a new budget.
    await forged(new Date(T0.getTime() + 60_000));
    expect(await stored()).toHaveLength(4);
  });

  it('names why, in an operator’s words', () => {
    const label = (kind: string, message: string) => rejectionLabel({ kind, message });
    expect(label('notification_unauthenticated', 'signature timestamp outside window')).toBe(
      '时间戳超出允许范围（疑似重放）',
    );
    expect(label('notification_unauthenticated', 'missing or malformed X-Gateway-Signature')).toBe(
      '缺少或格式错误的签名',
    );
    expect(label('notification_unauthenticated', 'signature mismatch')).toBe('签名校验失败');
    expect(label('notification_invalid', 'body is not JSON')).toBe('请求体不是合法 JSON');
    expect(label('notification_invalid', '订单不存在')).toBe('订单不存在（未知订单）');
    expect(label('notification_invalid', '支付金额与订单金额不符')).toBe('支付金额与订单金额不符');
  });
});
