import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { MongoClient } from 'mongodb';
import { SIGNATURE_HEADER, signGatewayPayload } from '../../src/adapters/payment/gateway/signature';
import { CALLBACK_SECRET, client, eventually, type Stack, startStack } from './stack';

/**
 * Every limit holds across two API instances on one database, exactly, and frees up again: behind a
 * trusted proxy (here the test itself, 127.0.0.1), so each probe can be its own client address.
 */
const times = <T>(n: number, f: (i: number) => Promise<T>) =>
  Promise.all(Array.from({ length: n }, (_, i) => f(i)));
const count = (rs: { status: number }[], status: number) => rs.filter((r) => r.status === status).length;

describe('limits across two API instances (real processes, FerretDB)', () => {
  let stack: Stack;
  let urls: string[];
  beforeAll(async () => {
    stack = await startStack({
      apiEnv: {
        TRUSTED_PROXIES: '127.0.0.1',
        // Distinct orders, and enough creates per minute that the pending cap is what stops them.
        REUSE_PENDING_ORDERS: 'off',
        // Day-long windows: a burst never straddles a window's end (a test asserts exact counts).
        RATE_LIMIT_CREATE_ORDER: 'ip:1000/1d,user:1000/1d',
        RATE_LIMIT_PAY: 'ip:1000/1d,user:7/1d',
        RATE_LIMIT_LOGIN: 'ip:5/1d',
        LOGIN_FAILURES_PER_IP: '3/1d',
      },
    });
    urls = [stack.api, await stack.addApi()];
  });
  afterAll(async () => {
    await stack?.stop();
  });

  let proxied = 0;
  /** A request as the proxy forwards it from `address`. */
  const from = (address: string, url: string, path: string, init: { token?: string; body?: unknown } = {}) =>
    fetch(`${url}${path}`, {
      method:
        init.body === undefined && !path.includes('/pay/') && !path.includes('/create') ? 'GET' : 'POST',
      headers: {
        'x-forwarded-for': address,
        'content-type': 'application/json',
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    }).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as Record<string, unknown>,
      headers: r.headers,
    }));
  const loginFrom = async (address: string, name: string) => {
    const res = await from(address, stack.api, '/api/auth/login', {
      body: { code: `${name}.p${++proxied}` },
    });
    if (res.status !== 200) throw new Error(`login ${name}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.access_token as string;
  };
  const pendingOf = async (userId: number) => {
    const mongo = new MongoClient(stack.mongoUri);
    try {
      return await mongo.db().collection('orders').countDocuments({ user_id: userId, status: 'pending' });
    } finally {
      await mongo.close();
    }
  };

  it('50 parallel creates of one user over both instances leave exactly 5 pending orders', async () => {
    const token = await loginFrom('198.51.100.1', 'capped');
    const me = await client(stack.api).call('GET', '/api/users/me', { token });
    const created = await times(50, (i) =>
      client(urls[i % 2]!).call('POST', '/api/orders/create', { token, body: { product_id: 1 } }),
    );
    expect(count(created, 200)).toBe(5);
    expect(count(created, 429)).toBe(45);
    expect(created.find((r) => r.status === 429)?.body).toEqual({
      detail: '待支付订单过多（最多 5 个），请先支付或等待未支付订单过期',
    });
    expect(await pendingOf(me.body.id)).toBe(5);
  });

  it('gives a slot back when an order is cancelled and when it is paid, once each', async () => {
    const api = client(stack.api);
    const token = await loginFrom('198.51.100.2', 'released');
    const orders: { order_id: number; order_no: string }[] = [];
    for (let i = 0; i < 5; i++)
      orders.push(
        (await api.call('POST', '/api/orders/create', { token, body: { product_id: 1 } })).body as never,
      );
    const [first, second] = orders as [(typeof orders)[0], (typeof orders)[0]];
    const create = (url: string) =>
      client(url).call('POST', '/api/orders/create', { token, body: { product_id: 1 } });
    expect((await create(urls[1]!)).status).toBe(429);
    // Cancelled: closed at the provider, then the status query cancels it — on the other instance.
    await api.call('POST', `/api/orders/pay/${first.order_id}`, { token });
    await fetch(`${stack.sandbox}/sandbox/trades/${first.order_no}/close`, { method: 'POST' });
    const cancelled = await eventually(async () => {
      const s = await client(urls[1]!).call('GET', `/api/orders/payment-status/${first.order_id}`, {
        token,
      });
      return s.body.status === 'cancelled' ? s : undefined;
    });
    expect(cancelled.body.paid).toBe(false);
    // Paid: the signed callback settles it.
    await api.call('POST', `/api/orders/pay/${second.order_id}`, { token });
    await fetch(`${stack.sandbox}/sandbox/trades/${second.order_no}/pay?notify=false`, { method: 'POST' });
    const raw = JSON.stringify({
      order_no: second.order_no,
      payment_id: '4200000000000000000000000777',
      status: 'SUCCESS',
      amount: 9.9,
    });
    const callback = await fetch(`${urls[0]}/api/orders/callback`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: signGatewayPayload(CALLBACK_SECRET, raw, Math.floor(Date.now() / 1000)),
      },
      body: raw,
    });
    expect(callback.status).toBe(200);
    // Two slots free: 20 concurrent creates over both instances get exactly those two.
    const again = await times(20, (i) => create(urls[i % 2]!));
    expect(count(again, 200)).toBe(2);
    expect(count(again, 429)).toBe(18);
  });

  it('holds a per-user rate limit exactly over both instances', async () => {
    const token = await loginFrom('198.51.100.3', 'payer');
    const order = (
      await client(stack.api).call('POST', '/api/orders/create', { token, body: { product_id: 2 } })
    ).body;
    const pays = await times(30, (i) =>
      client(urls[i % 2]!).call('POST', `/api/orders/pay/${order.order_id}`, { token }),
    );
    expect(count(pays, 200)).toBe(7);
    expect(count(pays, 429)).toBe(23);
  });

  it('holds a per-address limit exactly over both instances, per client behind the proxy', async () => {
    const results = await times(20, (i) =>
      from('203.0.113.50', urls[i % 2]!, '/api/auth/login', { body: { code: `addr${i}.1` } }),
    );
    expect(count(results, 200)).toBe(5);
    expect(count(results, 429)).toBe(15);
    const other = await from('203.0.113.51', urls[1]!, '/api/auth/login', { body: { code: 'addr-other.1' } });
    expect(other.status).toBe(200);
  });

  it('brute-forcing codes from an address: 3 failures reach WeChat, then the address waits', async () => {
    const calls = async () =>
      ((await (await fetch(`${stack.sandbox}/sandbox/logins`)).json()) as { calls: number }).calls;
    const before = await calls();
    const guesses = [];
    for (let i = 0; i < 12; i++)
      guesses.push(
        await from('203.0.113.66', urls[i % 2]!, '/api/auth/login', { body: { code: `used_${i}` } }),
      );
    expect(await calls()).toBe(before + 3);
    expect(guesses.map((g) => g.status)).toEqual([400, 400, 400, ...Array(9).fill(429)]);
    expect(guesses[3]?.body).toEqual({ detail: '登录失败次数过多，请稍后再试' });
    const honest = await from('203.0.113.66', urls[1]!, '/api/auth/login', { body: { code: 'honest.1' } });
    expect(honest.status).toBe(429);
    expect(Number(honest.headers.get('retry-after'))).toBeGreaterThan(0);
    const neighbour = await from('203.0.113.67', urls[0]!, '/api/auth/login', {
      body: { code: 'neighbour.1' },
    });
    expect(neighbour.status).toBe(200);
  });
});
