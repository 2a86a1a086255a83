import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { SIGNATURE_HEADER, signGatewayPayload } from '../../src/adapters/payment/gateway/signature';
import { CALLBACK_SECRET } from '../support/app';
import { type HttpHarness, httpHarness } from './harness';

const now = () => Math.floor(Date.now() / 1000);

describe('POST /api/orders/callback (SPEC §3.1, signed)', () => {
  let h: HttpHarness;
  let token: string;
  let userId: number;
  beforeAll(async () => {
    h = await httpHarness();
    ({
      token,
      user: { id: userId },
    } = await h.login('callback-user'));
  });
  afterAll(() => h.stop());

  const newOrder = async () =>
    (await h.request('POST', '/api/orders/create', { token, body: { product_id: 1 } })).body;
  // Each order its own transaction, as the provider assigns them.
  const body = (orderNo: string, over: Record<string, unknown> = {}) =>
    JSON.stringify({
      order_no: orderNo,
      payment_id: `4200-${orderNo}`,
      status: 'SUCCESS',
      amount: 9.9,
      ...over,
    });
  const post = (raw: string, signature?: string) =>
    h.request('POST', '/api/orders/callback', {
      raw,
      headers: signature === undefined ? {} : { [SIGNATURE_HEADER]: signature },
    });
  const signed = (raw: string, t = now(), secret: string | string[] = CALLBACK_SECRET) =>
    post(raw, signGatewayPayload(secret, raw, t));
  const balance = async () => (await h.request('GET', '/api/users/me', { token })).body.credits as number;
  const statusOf = async (id: number) =>
    (await h.request('GET', `/api/orders/${id}`, { token })).body.status as string;

  it('settles a valid SUCCESS once; a duplicate gets the same 200 and changes nothing', async () => {
    const o = await newOrder();
    const before = await balance();
    const raw = body(o.order_no);
    const first = await signed(raw);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ message: '处理支付回调成功' });
    expect(await statusOf(o.order_id)).toBe('completed');
    const again = await signed(raw);
    expect(again.body).toEqual({ message: '处理支付回调成功' });
    expect(await balance()).toBe(before + 100);
    const tx = (await h.request('GET', '/api/credits/transactions', { token })).body;
    expect(tx.filter((e: { related_order_id: number }) => e.related_order_id === o.order_id)).toHaveLength(1);
  });

  it('accepts a signature made with a rotated (second) secret', async () => {
    const o = await newOrder();
    const raw = body(o.order_no);
    expect((await signed(raw, now(), ['retired-secret-xxxxxxxx', CALLBACK_SECRET])).status).toBe(200);
  });

  describe('rejections change nothing and are logged', () => {
    const cases: [
      string,
      number,
      (orderNo: string) => Promise<{ status: number; body: { detail: string } }>,
    ][] = [
      ['unsigned', 401, (n) => post(body(n))],
      ['forged (wrong secret)', 401, (n) => signed(body(n), now(), 'attacker-secret-12345678')],
      ['stale (t − 301 s)', 401, (n) => signed(body(n), now() - 301)],
      ['from the future (t + 301 s)', 401, (n) => signed(body(n), now() + 301)],
      [
        'altered body after signing',
        401,
        (n) => post(body(n, { amount: 0.01 }), signGatewayPayload(CALLBACK_SECRET, body(n), now())),
      ],
      ['garbage signature header', 401, (n) => post(body(n), 't=abc,v1=zz')],
      ['wrong amount', 400, (n) => signed(body(n, { amount: 0.01 }))],
      ['amount in fen instead of yuan', 400, (n) => signed(body(n, { amount: 990 }))],
      ['amount with three decimals', 400, (n) => signed(body(n, { amount: 9.901 }))],
      ['unknown order', 400, () => signed(body('P2023070112000099999999'))],
      ['malformed JSON', 400, () => signed('{"order_no": ')],
      [
        'order_no injection',
        400,
        () =>
          signed(JSON.stringify({ order_no: { $gt: '' }, payment_id: 'x', status: 'SUCCESS', amount: 9.9 })),
      ],
    ];
    for (const [name, status, send] of cases) {
      it(`${name} → ${status}`, async () => {
        const o = await newOrder();
        const before = await balance();
        const logged = h.logs.length;
        const res = await send(o.order_no);
        expect(res.status).toBe(status);
        // Said in Chinese, as every {detail} is.
        expect(res.body.detail).toMatch(/\p{Script=Han}/u);
        expect(await statusOf(o.order_id)).toBe('pending');
        expect(await balance()).toBe(before);
        expect(h.logs.slice(logged).some((l) => l.event === 'callback.rejected')).toBe(true);
      });
    }
  });

  it('a PAYERROR callback is acknowledged but changes nothing; a later SUCCESS completes the order', async () => {
    const o = await newOrder();
    expect((await signed(body(o.order_no, { status: 'PAYERROR', payment_id: '' }))).status).toBe(200);
    expect(await statusOf(o.order_id)).toBe('pending');
    expect((await signed(body(o.order_no))).status).toBe(200);
    expect(await statusOf(o.order_id)).toBe('completed');
  });

  it('a transaction that already paid another order settles nothing: 409, pending, a review', async () => {
    const paid = await newOrder();
    const other = await newOrder();
    const before = await balance();
    const raw = body(paid.order_no);
    expect((await signed(raw)).status).toBe(200);
    const reused = body(other.order_no, { payment_id: JSON.parse(raw).payment_id });
    const answer = await signed(reused);
    expect(answer).toMatchObject({
      status: 409,
      body: { detail: '该支付交易已属于另一订单，本订单未结算，已转人工核对' },
    });
    expect(await statusOf(other.order_id)).toBe('pending');
    expect(await balance()).toBe(before + 100);
    expect(await h.deps.reviews.find(`${other.order_id}:payment_reused`)).toMatchObject({
      detail: `交易 ${JSON.parse(raw).payment_id} 已属于订单 ${paid.order_id}，本订单未结算`,
    });
  });

  it('answers 404 and changes nothing when no gateway is configured (WeChat Pay direct)', async () => {
    const { createApp } = await import('../../src/app/http/create-app');
    const app = createApp({ ...h.deps, gatewayNotifications: undefined });
    const o = await newOrder();
    const raw = body(o.order_no);
    const res = await app.handle(
      new Request('http://localhost/api/orders/callback', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signGatewayPayload(CALLBACK_SECRET, raw, now()),
        },
        body: raw,
      }),
    );
    expect(res.status).toBe(404);
    expect(await statusOf(o.order_id)).toBe('pending');
  });

  it('keeps balance == sum(ledger) for the user after all of the above', async () => {
    const tx = (await h.request('GET', '/api/credits/transactions?limit=100', { token })).body as {
      amount: number;
    }[];
    expect(tx.reduce((a, e) => a + e.amount, 0)).toBe(await balance());
    expect(userId).toBeGreaterThan(0);
  });
});
