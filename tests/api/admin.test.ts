import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { formatLocal } from '../../src/domain/time';
import { auditAndWait, type HttpHarness, httpHarness } from './harness';

let h: HttpHarness;
let admin: string;
beforeAll(async () => {
  h = await httpHarness({ adminCodes: ['boss'] });
  admin = (await h.login('boss')).token;
});
afterAll(() => h.stop());

const as = (token: string) => ({
  get: (path: string) => h.request('GET', path, { token }),
  post: (path: string, body?: unknown) => h.request('POST', path, { token, body }),
  patch: (path: string, body?: unknown) => h.request('PATCH', path, { token, body }),
  delete: (path: string) => h.request('DELETE', path, { token }),
});
const balance = async (token: string) => (await as(token).get('/api/users/me')).body.credits as number;
const today = () => formatLocal(new Date(), 'Asia/Shanghai')!.slice(0, 10);

/** A completed order: prepay, pay at the sandbox without a callback, then the status query settles it. */
async function completedOrder(token: string, productId = 1) {
  const created = await as(token).post('/api/orders/create', { product_id: productId });
  const { order_id: id, order_no: no } = created.body;
  await as(token).post(`/api/orders/pay/${id}`);
  await fetch(`${h.sandbox.url}/sandbox/trades/${no}/pay?notify=false`, { method: 'POST' });
  expect((await as(token).get(`/api/orders/payment-status/${id}`)).body.status).toBe('completed');
  return { id: id as number, no: no as string };
}

describe('admin access', () => {
  // Valid bodies: like every route here, schema validation runs before the token is looked at.
  const routes: [string, string, unknown][] = [
    ['GET', '/api/admin/products', undefined],
    ['POST', '/api/admin/products', { name: 'x', credits: 1, price: 1 }],
    ['PATCH', '/api/admin/products/1', { price: 1 }],
    ['DELETE', '/api/admin/products/1', undefined],
    ['GET', '/api/admin/users/1', undefined],
    ['PATCH', '/api/admin/users/1', { is_active: false }],
    ['POST', '/api/admin/users/1/credits', { amount: 1, reason: 'x', idempotency_key: 'k' }],
    ['GET', '/api/admin/users/1/transactions', undefined],
    ['GET', '/api/admin/orders', undefined],
    ['POST', '/api/admin/orders/1/refund', {}],
    ['GET', '/api/admin/orders/1/refund', undefined],
    ['GET', '/api/admin/reviews', undefined],
    ['GET', '/api/admin/audit', undefined],
    ['POST', '/api/admin/audit', undefined],
    ['POST', '/api/admin/reviews/1:unresolved/resolve', { note: 'x' }],
  ];

  it.each(routes)('answers 401 without a token: %s %s', async (method, path, body) => {
    const res = await h.request(method, path, { body });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: '未提供认证令牌' });
  });

  it.each(routes)('answers 403 to a non-admin: %s %s', async (method, path, body) => {
    const { token } = await h.login('plain-user');
    const res = await h.request(method, path, { token, body });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ detail: '需要管理员权限' });
  });

  it('promotes an ADMIN_OPENIDS user at login and persists the role', async () => {
    const res = await h.request('POST', '/api/auth/login', { body: { code: 'boss' } });
    expect(res.body.user.role).toBe('admin');
    expect((await h.deps.users.findById(res.body.user.id))?.role).toBe('admin');
  });

  it('disables, re-enables and promotes users; a demotion applies to existing tokens at once', async () => {
    const { token: old, user } = await h.login('managed-user');
    const off = await as(admin).patch(`/api/admin/users/${user.id}`, { is_active: false });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ id: user.id, is_active: false, role: 'user' });
    expect((await as(old).get('/api/users/me')).body).toEqual({ detail: '用户已被禁用' });
    await as(admin).patch(`/api/admin/users/${user.id}`, { is_active: true, role: 'admin' });
    // Disabling ended every session: enabling the user again does not bring the old token back.
    expect((await as(old).get('/api/users/me')).body).toEqual({ detail: '登录已失效，请重新登录' });
    const { token } = await h.login('managed-user');
    expect((await as(token).get('/api/admin/orders')).status).toBe(200);
    const demoted = await as(admin).patch(`/api/admin/users/${user.id}`, { role: 'user' });
    expect(demoted.body).toMatchObject({ role: 'user', is_active: true });
    expect((await as(token).get('/api/admin/orders')).body).toEqual({ detail: '需要管理员权限' });
  });

  it('shows a user with balance and version, and refuses an edit based on an old version with 409', async () => {
    const { user } = await h.login('versioned-user');
    const shown = await as(admin).get(`/api/admin/users/${user.id}`);
    expect(shown.body).toMatchObject({ id: user.id, role: 'user', is_active: true, credits: 0, version: 1 });
    expect(
      (await as(admin).patch(`/api/admin/users/${user.id}`, { role: 'admin', version: 1 })).body,
    ).toMatchObject({ role: 'admin', version: 2 });
    const stale = await as(admin).patch(`/api/admin/users/${user.id}`, { is_active: false, version: 1 });
    expect(stale.status).toBe(409);
    expect((await as(admin).get(`/api/admin/users/${user.id}`)).body).toMatchObject({
      is_active: true,
      version: 2,
    });
    expect((await as(admin).get('/api/admin/users/999999')).status).toBe(404);
  });

  it('rejects unknown users, empty patches and locking oneself out', async () => {
    expect((await as(admin).patch('/api/admin/users/999999', { is_active: false })).status).toBe(404);
    expect((await as(admin).patch('/api/admin/users/1', {})).status).toBe(400);
    expect((await as(admin).patch('/api/admin/users/1', { role: 'root' })).status).toBe(400);
    const me = (await as(admin).get('/api/users/me')).body.id;
    const self = await as(admin).patch(`/api/admin/users/${me}`, { is_active: false });
    expect(self.status).toBe(400);
  });
});

describe('admin products', () => {
  const draft = {
    name: '1000积分套餐',
    description: '购买1000积分',
    credits: 1000,
    price: 69.9,
    sort_order: 3,
  };

  it('creates a product priced in yuan, stored in fen, visible in the public catalog', async () => {
    const res = await as(admin).post('/api/admin/products', draft);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ...draft, image_url: null, is_active: true });
    expect(res.body.id).toBeGreaterThan(2);
    const pub = await h.request('GET', `/api/products/${res.body.id}`);
    const { version, xpay_product_id: _item, ...publicFields } = res.body;
    expect(version).toBe(1);
    expect(pub.body).toEqual(publicFields);
    const order = await as(admin).post('/api/orders/create', { product_id: res.body.id });
    expect(order.body).toMatchObject({ amount: 69.9, credits: 1000 });
  });

  const bad: [string, unknown][] = [
    ['three decimals', { ...draft, price: 9.999 }],
    ['a zero price', { ...draft, price: 0 }],
    ['a negative price', { ...draft, price: -1 }],
    ['a string price', { ...draft, price: '9.9' }],
    ['fractional credits', { ...draft, credits: 1.5 }],
    ['zero credits', { ...draft, credits: 0 }],
    ['no name', { ...draft, name: '' }],
    ['an unknown field', { ...draft, stock: 5 }],
    ['an operator', { ...draft, name: { $gt: '' } }],
  ];
  it.each(bad)('rejects %s with 400', async (_, body) => {
    const res = await as(admin).post('/api/admin/products', body);
    expect(res.status).toBe(400);
    expect(typeof res.body.detail).toBe('string');
  });

  it('updates given fields and deactivates without deleting', async () => {
    const { id } = (await as(admin).post('/api/admin/products', draft)).body;
    const upd = await as(admin).patch(`/api/admin/products/${id}`, { price: 59.9, name: '千积分' });
    expect(upd.status).toBe(200);
    expect(upd.body).toMatchObject({ id, price: 59.9, name: '千积分', credits: 1000 });
    expect((await as(admin).patch(`/api/admin/products/${id}`, { price: 1.234 })).status).toBe(400);
    expect((await as(admin).patch(`/api/admin/products/${id}`, {})).status).toBe(400);
    const off = await as(admin).delete(`/api/admin/products/${id}`);
    expect(off.body).toMatchObject({ id, is_active: false });
    expect((await h.request('GET', `/api/products/${id}`)).status).toBe(404);
    expect((await as(admin).post('/api/orders/create', { product_id: id })).status).toBe(400);
    // Admins still see it, so it can be switched back on.
    const all = await h.request('GET', '/api/admin/products?limit=100', { token: admin });
    expect(all.body.find((p: { id: number }) => p.id === id)).toMatchObject({ is_active: false });
  });

  it('applies an edit naming the current version, and answers 409 without changing anything otherwise', async () => {
    const { id } = (await as(admin).post('/api/admin/products', draft)).body;
    const first = await as(admin).patch(`/api/admin/products/${id}`, { price: 59.9, version: 1 });
    expect(first.body).toMatchObject({ price: 59.9, version: 2 });
    const stale = await as(admin).patch(`/api/admin/products/${id}`, { name: '旧页面的修改', version: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body).toEqual({ detail: '数据已被修改（当前版本 2），请刷新后重试' });
    expect((await h.request('GET', `/api/products/${id}`)).body).toMatchObject({
      name: draft.name,
      price: 59.9,
    });
    const blind = await as(admin).patch(`/api/admin/products/${id}`, { sort_order: 9 });
    expect(blind.body).toMatchObject({ price: 59.9, sort_order: 9, version: 3 });
    expect((await as(admin).patch(`/api/admin/products/${id}`, { version: 3 })).status).toBe(400);
  });

  it('answers 404 for an unknown product', async () => {
    expect((await as(admin).patch('/api/admin/products/9999', { price: 1 })).status).toBe(404);
    expect((await as(admin).delete('/api/admin/products/9999')).status).toBe(404);
  });
});

describe('admin order search', () => {
  it('filters by user, status, order_no and date, newest first', async () => {
    const a = await h.login('search-a');
    const b = await h.login('search-b');
    const a1 = (await as(a.token).post('/api/orders/create', { product_id: 1 })).body;
    const b1 = (await as(b.token).post('/api/orders/create', { product_id: 2 })).body;
    const a2 = (await as(a.token).post('/api/orders/create', { product_id: 2 })).body;
    const ids = async (q: string) =>
      ((await as(admin).get(`/api/admin/orders?${q}`)).body as { id: number }[]).map((o) => o.id);
    expect(await ids(`user_id=${a.user.id}`)).toEqual([a2.order_id, a1.order_id]);
    expect(await ids(`user_id=${b.user.id}&status=pending`)).toEqual([b1.order_id]);
    expect(await ids(`user_id=${b.user.id}&status=completed`)).toEqual([]);
    expect(await ids(`order_no=${a1.order_no}`)).toEqual([a1.order_id]);
    expect(await ids(`user_id=${a.user.id}&from=${today()}&to=${today()}`)).toEqual([
      a2.order_id,
      a1.order_id,
    ]);
    expect(await ids(`user_id=${a.user.id}&from=2000-01-01&to=2000-01-31`)).toEqual([]);
    expect(await ids(`user_id=${a.user.id}&from=2000-01-01T00:00:00Z`)).toHaveLength(2);
    expect(await ids(`user_id=${a.user.id}&limit=1&skip=1`)).toEqual([a1.order_id]);
    const first = (await as(admin).get(`/api/admin/orders?order_no=${a1.order_no}`)).body[0];
    expect(first).toMatchObject({ user_id: a.user.id, amount: 9.9, status: 'pending' });
  });

  it.each(['status=paidd', 'from=2023-02-30', 'to=yesterday', 'user_id=x', 'limit=101', 'order_no[$gt]='])(
    'rejects %s with 400',
    async (q) => {
      expect((await as(admin).get(`/api/admin/orders?${q}`)).status).toBe(400);
    },
  );
});

describe('admin audit', () => {
  it('reports the store consistent after real purchases and a refund, and names what breaks it', async () => {
    const u = await h.login('audit-user');
    await completedOrder(u.token);
    const clean = (await auditAndWait(h, admin)).report;
    expect(clean).toMatchObject({ trigger: 'api' });
    expect(clean.scanned.orders).toBeGreaterThan(0);
    const own = (f: { subject: string }) => f.subject.startsWith('order ') || f.subject.startsWith('user ');
    expect(clean.findings.filter(own)).toEqual([]);
    const o = await completedOrder(u.token);
    await h.deps.orders.project(o.id, ['completed'], { status: 'pending', updatedAt: new Date() });
    const broken = (await auditAndWait(h, admin)).report;
    expect(broken.id).not.toBe(clean.id);
    expect(broken.ok).toBe(false);
    expect(broken.findings).toContainEqual({
      check: 'order_status',
      subject: `order ${o.id}`,
      message: 'settled but pending',
    });
  });
});

describe('admin review queue', () => {
  it('lists what needs a human, newest first, and resolves it with a note', async () => {
    const u = await h.login('review-user');
    const o = await completedOrder(u.token);
    const order = (await h.deps.orders.findById(o.id))!;
    const { settleOrder } = await import('../../src/domain/usecases/settle');
    // The same order paid a second time under another transaction: credits once, money for a human.
    await settleOrder(h.deps)(order, {
      paymentId: '4200second',
      amountFen: 990,
      paidAt: null,
      source: 'notify',
    });
    const open = await as(admin).get('/api/admin/reviews?limit=100');
    const item = open.body.find((r: { order_id: number }) => r.order_id === o.id);
    expect(item).toMatchObject({ id: `${o.id}:second_payment`, reason: 'second_payment', resolved_at: null });
    expect(await balance(u.token)).toBe(100);
    const done = await as(admin).post(`/api/admin/reviews/${item.id}/resolve`, { note: '已退还重复支付' });
    expect(done.body).toMatchObject({ id: item.id, resolution: '已退还重复支付' });
    expect(typeof done.body.resolved_at).toBe('string');
    const still = (await as(admin).get('/api/admin/reviews?limit=100')).body;
    expect(still.some((r: { id: string }) => r.id === item.id)).toBe(false);
    const all = (await as(admin).get('/api/admin/reviews?open=false&limit=100')).body;
    expect(all.some((r: { id: string }) => r.id === item.id)).toBe(true);
    expect(
      (await as(admin).post('/api/admin/reviews/9999999:unresolved/resolve', { note: 'x' })).status,
    ).toBe(404);
    expect((await as(admin).post(`/api/admin/reviews/${item.id}/resolve`, {})).status).toBe(400);
  });
});

describe('admin credit adjustments', () => {
  it('adds and removes credits idempotently, never below zero, and lists the ledger', async () => {
    const u = await h.login('adjusted');
    const path = `/api/admin/users/${u.user.id}/credits`;
    const plus = await as(admin).post(path, { amount: 50, reason: '客服补偿', idempotency_key: 'k1' });
    expect(plus.status).toBe(200);
    expect(plus.body).toMatchObject({
      amount: 50,
      balance_after: 50,
      type: 'adjust',
      description: '客服补偿',
    });
    const again = await as(admin).post(path, { amount: 50, reason: '客服补偿', idempotency_key: 'k1' });
    expect(again.body).toEqual(plus.body);
    for (const other of [
      { amount: 60, reason: '客服补偿' },
      { amount: 50, reason: '另一笔' },
    ]) {
      const reused = await as(admin).post(path, { ...other, idempotency_key: 'k1' });
      expect(reused.status).toBe(409);
      expect(reused.body).toEqual({ detail: '幂等键已用于另一笔不同的请求' });
    }
    expect(await balance(u.token)).toBe(50);
    const tooMuch = await as(admin).post(path, { amount: -80, reason: '扣除', idempotency_key: 'k2' });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body).toEqual({ detail: '积分不足' });
    expect((await as(admin).post(path, { amount: -50, reason: '扣除', idempotency_key: 'k3' })).status).toBe(
      200,
    );
    expect(await balance(u.token)).toBe(0);
    const list = await as(admin).get(`/api/admin/users/${u.user.id}/transactions?limit=10`);
    expect(list.body.map((e: { amount: number }) => e.amount)).toEqual([-50, 50]);
  });

  it.each([
    ['zero', { amount: 0, reason: 'x', idempotency_key: 'z' }],
    ['a fraction', { amount: 1.5, reason: 'x', idempotency_key: 'z' }],
    ['no reason', { amount: 1, idempotency_key: 'z' }],
    ['no key', { amount: 1, reason: 'x' }],
  ])('rejects %s with 400', async (_, body) => {
    const u = await h.login('adjust-bad');
    expect((await as(admin).post(`/api/admin/users/${u.user.id}/credits`, body)).status).toBe(400);
  });

  it('answers 404 for an unknown user', async () => {
    const body = { amount: 1, reason: 'x', idempotency_key: 'u404' };
    expect((await as(admin).post('/api/admin/users/999999/credits', body)).status).toBe(404);
    expect((await as(admin).get('/api/admin/users/999999/transactions')).status).toBe(404);
  });
});
