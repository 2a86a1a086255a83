import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { type HttpHarness, httpHarness } from './harness';

describe('POST /api/credits/consume (SPEC §2)', () => {
  let h: HttpHarness;
  beforeAll(async () => {
    h = await httpHarness();
  });
  afterAll(() => h.stop());

  /** A user holding `packs` × 100 credits, bought through the real pay → sandbox → status path. */
  async function userWithCredits(code: string, packs = 1) {
    const { token } = await h.login(code);
    for (let i = 0; i < packs; i++) {
      const o = (await h.request('POST', '/api/orders/create', { token, body: { product_id: 1 } })).body;
      await h.request('POST', `/api/orders/pay/${o.order_id}`, { token });
      await fetch(`${h.sandbox.url}/sandbox/trades/${o.order_no}/pay?notify=false`, { method: 'POST' });
      await h.request('GET', `/api/orders/payment-status/${o.order_id}`, { token });
    }
    return token;
  }
  const consume = (token: string, amount: unknown, key: string) =>
    h.request('POST', '/api/credits/consume', {
      token,
      body: { amount, description: '兑换', idempotency_key: key },
    });
  const balance = async (token: string) => (await h.request('GET', '/api/users/me', { token })).body.credits;

  it('deducts and returns the ledger entry', async () => {
    const token = await userWithCredits('spender');
    const res = await consume(token, 30, 'k1');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      amount: -30,
      balance_after: 70,
      type: 'consume',
      description: '兑换',
      related_order_id: null,
    });
    expect(await balance(token)).toBe(70);
  });

  it('returns the first result for a repeated idempotency key and deducts once', async () => {
    const token = await userWithCredits('repeater');
    const first = await consume(token, 40, 'same');
    const again = await consume(token, 40, 'same');
    expect(again.body).toEqual(first.body);
    expect(await balance(token)).toBe(60);
  });

  it('answers 409 when a key is reused for a different spend, and deducts nothing more', async () => {
    const token = await userWithCredits('key-reuser');
    expect((await consume(token, 10, 'reused')).status).toBe(200);
    const res = await consume(token, 50, 'reused');
    expect(res.status).toBe(409);
    expect(res.body.detail).toBe('幂等键已用于另一笔不同的请求');
    expect(await balance(token)).toBe(90);
  });

  it('refuses to go below zero with 400 积分不足 and changes nothing', async () => {
    const token = await userWithCredits('overspender');
    const res = await consume(token, 101, 'too-much');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ detail: '积分不足' });
    expect(await balance(token)).toBe(100);
  });

  it('lets exactly balance/amount of 20 concurrent spends through, never below zero', async () => {
    const token = await userWithCredits('racer');
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => consume(token, 15, `race-${i}`)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(6);
    expect(results.filter((r) => r.status === 400)).toHaveLength(14);
    expect(await balance(token)).toBe(10);
    const tx = (await h.request('GET', '/api/credits/transactions?limit=100', { token })).body as {
      amount: number;
    }[];
    expect(tx.reduce((sum, e) => sum + e.amount, 0)).toBe(10);
  });

  it("scopes keys per user: another user's key does not collide", async () => {
    const a = await userWithCredits('scope-a');
    const b = await userWithCredits('scope-b');
    expect((await consume(a, 10, 'shared-key')).status).toBe(200);
    expect((await consume(b, 20, 'shared-key')).body.balance_after).toBe(80);
  });

  for (const [name, body] of [
    ['zero amount', { amount: 0, description: 'x', idempotency_key: 'k' }],
    ['negative amount', { amount: -5, description: 'x', idempotency_key: 'k' }],
    ['fractional amount', { amount: 1.5, description: 'x', idempotency_key: 'k' }],
    ['string amount', { amount: '5', description: 'x', idempotency_key: 'k' }],
    ['missing key', { amount: 5, description: 'x' }],
    ['bad key characters', { amount: 5, description: 'x', idempotency_key: 'a b' }],
    ['injection in key', { amount: 5, description: 'x', idempotency_key: { $gt: '' } }],
    ['extra field', { amount: 5, description: 'x', idempotency_key: 'k', user_id: 1 }],
  ] as const) {
    it(`rejects ${name} with 400 and changes nothing`, async () => {
      const token = await userWithCredits(`bad-${name.replaceAll(' ', '-')}`);
      const res = await h.request('POST', '/api/credits/consume', { token, body });
      expect(res.status).toBe(400);
      expect(await balance(token)).toBe(100);
    });
  }
});
