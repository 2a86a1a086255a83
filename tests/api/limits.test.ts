import { afterEach, describe, expect, it } from 'bun:test';
import type { WechatLogin } from '../../src/domain/ports';
import { THROTTLED } from '../../src/domain/usecases/payment-status';
import { settleOrder } from '../../src/domain/usecases/settle';
import { type HttpHarness, httpHarness } from './harness';

let h: HttpHarness | undefined;
afterEach(async () => {
  h?.app.stop?.();
  await h?.stop();
  h = undefined;
});

/** A harness with the production defaults of the abuse limits, plus `env`. */
async function limited(env: Record<string, string> = {}) {
  h = await httpHarness({ abuseEnv: env });
  return h;
}

/** Counts the codes that reach WeChat (our sandbox) — each one costs WeChat quota. */
function countWechatCalls(harness: HttpHarness): string[] {
  const calls: string[] = [];
  const inner = harness.deps.wechatLogin;
  const counting: WechatLogin = {
    exchange: (code) => {
      calls.push(code);
      return inner.exchange(code);
    },
  };
  (harness.deps as { wechatLogin: WechatLogin }).wechatLogin = counting;
  return calls;
}

const times = <T>(n: number, f: (i: number) => Promise<T>) =>
  Promise.all(Array.from({ length: n }, (_, i) => f(i)));
const statuses = (rs: { status: number }[]) => rs.map((r) => r.status).sort();
const count = (rs: { status: number }[], status: number) => rs.filter((r) => r.status === status).length;

describe('rate limits per route class', () => {
  it('refuses a user past the create limit with 429, {detail} and Retry-After; others go on', async () => {
    const h = await limited({ RATE_LIMIT_CREATE_ORDER: 'user:3/1d', REUSE_PENDING_ORDERS: 'off' });
    const { token } = await h.login('create-limited');
    const results = await times(10, () =>
      h.request('POST', '/api/orders/create', { token, body: { product_id: 1 } }),
    );
    expect(count(results, 200)).toBe(3);
    const refused = results.find((r) => r.status === 429)!;
    expect(refused.body).toEqual({ detail: '请求过于频繁，请稍后再试' });
    const wait = Number(refused.headers.get('retry-after'));
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(86_400);
    const other = (await h.login('create-other')).token;
    expect(
      (await h.request('POST', '/api/orders/create', { token: other, body: { product_id: 1 } })).status,
    ).toBe(200);
  });

  it('limits logins per client address, before any call to WeChat', async () => {
    const h = await limited({ RATE_LIMIT_LOGIN: 'ip:5/1d' });
    const calls = countWechatCalls(h);
    const results = await times(30, (i) =>
      h.request('POST', '/api/auth/login', { body: { code: `flood.${i}` } }),
    );
    expect(count(results, 200)).toBe(5);
    expect(count(results, 429)).toBe(25);
    expect(calls).toHaveLength(5);
  });

  it('answers payment-status and pay over their own limits, and admin routes over theirs', async () => {
    const h = await limited({
      RATE_LIMIT_PAYMENT_STATUS: 'user:2/1d',
      RATE_LIMIT_PAY: 'user:1/1d',
      RATE_LIMIT_CONSUME: 'user:1/1d',
    });
    const { token } = await h.login('classes');
    const order = (await h.request('POST', '/api/orders/create', { token, body: { product_id: 1 } })).body;
    const status = () => h.request('GET', `/api/orders/payment-status/${order.order_id}`, { token });
    expect(statuses([await status(), await status(), await status()])).toEqual([200, 200, 429]);
    const pay = () => h.request('POST', `/api/orders/pay/${order.order_id}`, { token });
    expect(statuses([await pay(), await pay()])).toEqual([200, 429]);
    const consume = (k: string) =>
      h.request('POST', '/api/credits/consume', {
        token,
        body: { amount: 1, description: 'x', idempotency_key: k },
      });
    expect(statuses([await consume('a'), await consume('b')])).toEqual([400, 429]);
    // Reads that cost one indexed lookup are not limited.
    expect(statuses(await times(5, () => h.request('GET', '/api/orders/', { token })))).toEqual([
      200, 200, 200, 200, 200,
    ]);
  });

  it('is off entirely with RATE_LIMITS=off', async () => {
    const h = await limited({ RATE_LIMITS: 'off', RATE_LIMIT_LOGIN: 'ip:1/1d' });
    const results = await times(5, (i) =>
      h.request('POST', '/api/auth/login', { body: { code: `free.${i}` } }),
    );
    expect(statuses(results)).toEqual([200, 200, 200, 200, 200]);
  });
});

describe('login abuse', () => {
  it('calls WeChat once per code: 30 concurrent uses of one code make one call and one login', async () => {
    const h = await limited();
    const calls = countWechatCalls(h);
    const results = await times(30, () =>
      h.request('POST', '/api/auth/login', { body: { code: 'replayed.1' } }),
    );
    expect(calls).toEqual(['replayed.1']);
    expect(count(results, 200)).toBe(1);
    expect(count(results, 400)).toBe(29);
    expect(results.find((r) => r.status === 400)?.body).toEqual({
      detail: '登录凭证无效或已使用，请重新登录',
    });
  });

  it('gives a reused code the first answer’s error without asking WeChat again', async () => {
    const h = await limited();
    const calls = countWechatCalls(h);
    const blocked = await h.request('POST', '/api/auth/login', { body: { code: 'blocked_x' } });
    const again = await h.request('POST', '/api/auth/login', { body: { code: 'blocked_x' } });
    expect(blocked).toMatchObject({ status: 403, body: { detail: '用户已被微信限制登录' } });
    expect(again).toMatchObject({ status: 403, body: { detail: '用户已被微信限制登录' } });
    expect(calls).toEqual(['blocked_x']);
  });

  it('backs an address off after failed logins, even for a good code, until the window ends', async () => {
    const h = await limited({ LOGIN_FAILURES_PER_IP: '3/1d' });
    const calls = countWechatCalls(h);
    const guesses = [];
    for (let i = 0; i < 3; i++)
      guesses.push(await h.request('POST', '/api/auth/login', { body: { code: `used_guess${i}` } }));
    expect(statuses(guesses)).toEqual([400, 400, 400]);
    const blocked = await h.request('POST', '/api/auth/login', { body: { code: 'honest.1' } });
    expect(blocked).toMatchObject({ status: 429, body: { detail: '登录失败次数过多，请稍后再试' } });
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(calls).toHaveLength(3);
  });

  it('counts a replayed code as a failure too', async () => {
    const h = await limited({ LOGIN_FAILURES_PER_IP: '2/1d' });
    await h.request('POST', '/api/auth/login', { body: { code: 'once.1' } });
    for (let i = 0; i < 2; i++) await h.request('POST', '/api/auth/login', { body: { code: 'once.1' } });
    expect((await h.request('POST', '/api/auth/login', { body: { code: 'once.2' } })).status).toBe(429);
  });
});

describe('payment-status asks the provider about one order at most once per window', () => {
  it('answers a fast poller from the database, and a settled order always', async () => {
    const h = await limited({ PAYMENT_STATUS_QUERY_SECONDS: '60' });
    const queried: string[] = [];
    const query = h.deps.payments.query.bind(h.deps.payments);
    (h.deps.payments as { query: typeof query }).query = (no) => {
      queried.push(no);
      return query(no);
    };
    const { token } = await h.login('poller');
    const order = (await h.request('POST', '/api/orders/create', { token, body: { product_id: 1 } })).body;
    await h.request('POST', `/api/orders/pay/${order.order_id}`, { token });
    const status = () => h.request('GET', `/api/orders/payment-status/${order.order_id}`, { token });
    const polls = await times(10, status);
    expect(queried).toHaveLength(1);
    expect(polls.map((p) => p.status)).toEqual(Array(10).fill(200));
    expect(polls.filter((p) => p.body.message === THROTTLED)).toHaveLength(9);
    expect(polls.every((p) => p.body.status === 'pending' && p.body.paid === false)).toBe(true);
    // The callback settles it: from then on every poll is answered from the database, none refused.
    const stored = (await h.deps.orders.findById(order.order_id))!;
    await settleOrder(h.deps)(stored, {
      paymentId: '4200',
      amountFen: 990,
      paidAt: null,
      source: 'callback',
    });
    const after = await times(5, status);
    expect(after.map((p) => p.body.status)).toEqual(Array(5).fill('completed'));
    expect(queried).toHaveLength(1);
  });
});

describe('client addresses and request ids', () => {
  async function listening(env: Record<string, string>) {
    const h = await limited(env);
    h.app.listen({ port: 0, hostname: '127.0.0.1' });
    const base = `http://127.0.0.1:${h.app.server!.port}`;
    const login = (code: string, headers: Record<string, string> = {}) =>
      fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ code }),
      });
    return { h, base, login };
  }

  it('ignores X-Forwarded-For from anyone but a trusted proxy', async () => {
    const { login } = await listening({ RATE_LIMIT_LOGIN: 'ip:2/1d' });
    const results = await times(4, (i) => login(`spoof.${i}`, { 'x-forwarded-for': `10.0.0.${i}` }));
    expect(statuses(results)).toEqual([200, 200, 429, 429]);
  });

  it('limits each client behind a trusted proxy by the address the proxy saw', async () => {
    const { login } = await listening({
      RATE_LIMIT_LOGIN: 'ip:2/1d',
      TRUSTED_PROXIES: '127.0.0.1,10.9.0.0/16',
    });
    const from = (client: string, i: number) =>
      login(`proxied.${client}${i}`, { 'x-forwarded-for': `6.6.6.6, ${client}, 10.9.1.1` });
    const a = await times(3, (i) => from('1.1.1.1', i));
    const b = await times(2, (i) => from('2.2.2.2', i));
    expect(statuses(a)).toEqual([200, 200, 429]);
    expect(statuses(b)).toEqual([200, 200]);
  });

  it('limits IPv6 clients per /64', async () => {
    const { login } = await listening({ RATE_LIMIT_LOGIN: 'ip:2/1d', TRUSTED_PROXIES: '127.0.0.1' });
    const results = await times(3, (i) => login(`v6.${i}`, { 'x-forwarded-for': `2001:db8:1:2::${i + 1}` }));
    expect(statuses(results)).toEqual([200, 200, 429]);
  });

  it('takes X-Request-Id only from a trusted proxy, and only a sane one', async () => {
    const plain = await listening({});
    const spoofed = await fetch(`${plain.base}/health`, { headers: { 'x-request-id': 'attacker-chosen' } });
    expect(spoofed.headers.get('x-request-id')).not.toBe('attacker-chosen');
    plain.h.app.stop();
    await plain.h.stop();
    const proxied = await listening({ TRUSTED_PROXIES: '127.0.0.1' });
    const kept = await fetch(`${proxied.base}/health`, { headers: { 'x-request-id': 'edge-1234' } });
    expect(kept.headers.get('x-request-id')).toBe('edge-1234');
    const forged = await fetch(`${proxied.base}/health`, {
      headers: { 'x-request-id': 'x\ty {"event":"x"}' },
    });
    expect(forged.headers.get('x-request-id')).not.toContain('event');
  });
});
