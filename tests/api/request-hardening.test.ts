import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { validationDetail } from '../../src/app/http/plugins';
import { RAW_BODY_ROUTES } from '../../src/app/http/routes/callbacks';
import { type HttpHarness, httpHarness } from './harness';

let h: HttpHarness;
let admin: string;
beforeAll(async () => {
  h = await httpHarness({ adminCodes: ['hardening-admin'] });
  admin = (await h.login('hardening-admin')).token;
});
afterAll(() => h.stop());

/**
 * Every `default` found in a schema tree, by path. Elysia's own string branch for numeric query and
 * path parameters (`{type:'string', format:'integer', default:0}` inside an anyOf) is skipped: it
 * never passes the check, so TypeBox never writes it into a request.
 */
function defaultsIn(schema: unknown, path = ''): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const s = schema as { type?: unknown; format?: unknown };
  if (s.type === 'string' && (s.format === 'integer' || s.format === 'numeric')) return [];
  const here = 'default' in schema ? [path || '/'] : [];
  return [
    ...here,
    ...Object.entries(schema).flatMap(([k, v]) => (k === 'default' ? [] : defaultsIn(v, `${path}/${k}`))),
  ];
}

describe('request schemas', () => {
  it('carry no default anywhere: Elysia would write it into the request', () => {
    const found = h.app.routes.flatMap((r) => {
      const hooks = (r.hooks ?? {}) as Record<string, unknown>;
      return ['body', 'query', 'params', 'headers'].flatMap((part) =>
        defaultsIn(hooks[part]).map((p) => `${r.method} ${r.path} ${part}${p}`),
      );
    });
    expect(h.app.routes.length).toBeGreaterThan(20);
    expect(found).toEqual([]);
  });

  it('hands every route that verifies raw bytes (`parse: text`) the exact text', () => {
    const textRoutes = h.app.routes
      .filter((r) => ((r.hooks as { parse?: { fn: unknown }[] }).parse ?? []).some((p) => p.fn === 'text'))
      .map((r) => r.path);
    expect(textRoutes.length).toBeGreaterThanOrEqual(4);
    expect(textRoutes.filter((p) => !RAW_BODY_ROUTES.has(p))).toEqual([]);
  });

  it('an order search without status returns every status', async () => {
    const { token, user } = await h.login('hardening-search');
    const a = (await h.request('POST', '/api/orders/create', { token, body: { product_id: 1 } })).body;
    const b = (await h.request('POST', '/api/orders/create', { token, body: { product_id: 1 } })).body;
    await h.deps.orders.project(a.order_id, ['pending'], { status: 'cancelled', updatedAt: new Date() });
    const res = await h.request('GET', `/api/admin/orders?user_id=${user.id}`, { token: admin });
    expect(res.body.map((o: { id: number; status: string }) => [o.id, o.status])).toEqual([
      [b.order_id, 'pending'],
      [a.order_id, 'cancelled'],
    ]);
  });

  it('disabling an admin leaves the role alone', async () => {
    const { user } = await h.login('hardening-other-admin');
    await h.request('PATCH', `/api/admin/users/${user.id}`, { token: admin, body: { role: 'admin' } });
    const res = await h.request('PATCH', `/api/admin/users/${user.id}`, {
      token: admin,
      body: { is_active: false },
    });
    expect(res.body).toMatchObject({ role: 'admin', is_active: false });
    expect((await h.deps.users.findById(user.id))?.role).toBe('admin');
  });
});

describe('validation errors', () => {
  it('never throw while being formatted', () => {
    const hostile = {
      get valueError(): never {
        throw new RangeError('Maximum call stack size exceeded');
      },
    };
    expect(validationDetail(hostile)).toBe('请求参数错误');
    expect(validationDetail({ valueError: { path: '/code', message: 'Expected string' } })).toBe(
      '请求参数错误: code 应为字符串',
    );
    // A query parameter checked on its own: no path, the name comes from the schema's title.
    expect(
      validationDetail({
        valueError: { path: '', message: 'Expected integer to be greater or equal to 1' },
        validator: { schema: { title: 'limit' } },
      }),
    ).toBe('请求参数错误: limit 格式不正确或超出范围');
    expect(validationDetail({ valueError: { path: '', message: 'x' }, validator: { title: 'skip' } })).toBe(
      '请求参数错误: skip 格式不正确或超出范围',
    );
  });
});

describe('JSON bodies are checked before validation', () => {
  it.each([
    ['a __proto__ key', '{"__proto__":{"role":"admin"}}'],
    ['a nested __proto__ key', '{"is_active":true,"x":{"__proto__":{}}}'],
  ])('rejects %s with 400 and changes nothing', async (_, raw) => {
    const { user } = await h.login('hardening-proto');
    const res = await h.request('PATCH', `/api/admin/users/${user.id}`, { token: admin, raw });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ detail: '请求体包含不允许的字段名' });
    expect((await h.deps.users.findById(user.id))?.role).toBe('user');
  });

  it('answers a 10,000-deep body with 400 at once, without a token', async () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const started = performance.now();
    const res = await h.request('POST', '/api/auth/login', { raw: `{"code":${deep}}` });
    expect(res.status).toBe(400);
    expect(res.body.detail).toContain('嵌套过深');
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('counts brackets inside strings as text, so a deep-looking string is fine', async () => {
    const res = await h.request('POST', '/api/auth/login', {
      raw: JSON.stringify({ code: '['.repeat(100) }),
    });
    expect(res.status).toBe(400);
    expect(res.body.detail).not.toContain('嵌套过深');
  });

  it('refuses a lone surrogate, so an identical retry can never differ from what was stored', async () => {
    const { token, user } = await h.login('hardening-surrogate');
    const grant = { amount: 10, reason: '测试', idempotency_key: 'surrogate-grant' };
    await h.request('POST', `/api/admin/users/${user.id}/credits`, { token: admin, body: grant });
    const raw = '{"amount":1,"description":"bad \\ud800 text","idempotency_key":"sur-1"}';
    for (let i = 0; i < 2; i++) {
      const res = await h.request('POST', '/api/credits/consume', { token, raw });
      expect(res.status).toBe(400);
      expect(res.body.detail).toContain('Unicode');
    }
    const ok = await h.request('POST', '/api/credits/consume', {
      token,
      body: { amount: 1, description: '表情 😀 ok', idempotency_key: 'sur-2' },
    });
    expect(ok.status).toBe(200);
    const again = await h.request('POST', '/api/credits/consume', {
      token,
      body: { amount: 1, description: '表情 😀 ok', idempotency_key: 'sur-2' },
    });
    expect(again.body).toEqual(ok.body);
  });
});
