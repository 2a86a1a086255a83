import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { type HttpHarness, httpHarness } from './harness';

describe('HTTP basics', () => {
  let h: HttpHarness;
  beforeAll(async () => {
    h = await httpHarness();
  });
  afterAll(() => h.stop());

  it('answers /health and /ready', async () => {
    expect((await h.request('GET', '/health')).body).toEqual({ status: 'ok' });
    expect((await h.request('GET', '/ready')).body).toEqual({
      status: 'ready',
      checks: { database: 'up', provider: 'unchecked' },
    });
  });

  it('answers 503 on /ready naming the dependency that is down', async () => {
    const { createApp } = await import('../../src/app/http/create-app');
    const ready = async (dbReady: boolean, providerReady: boolean) => {
      const app = createApp({
        ...h.deps,
        dbReady: async () => dbReady,
        providerReady: async () => providerReady,
      });
      const res = await app.handle(new Request('http://localhost/ready'));
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    expect(await ready(true, true)).toEqual({
      status: 200,
      body: { status: 'ready', checks: { database: 'up', provider: 'up' } },
    });
    expect(await ready(false, true)).toEqual({
      status: 503,
      body: { status: 'unavailable', detail: '数据库不可用', checks: { database: 'down', provider: 'up' } },
    });
    expect(await ready(true, false)).toEqual({
      status: 503,
      body: { status: 'unavailable', detail: '支付服务不可达', checks: { database: 'up', provider: 'down' } },
    });
    expect((await ready(false, false)).body.detail).toBe('数据库不可用；支付服务不可达');
  });

  it('returns 404 {detail} for an unknown route', async () => {
    const res = await h.request('GET', '/api/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: '接口不存在' });
  });

  it('answers 405 with Allow for a known path asked with the wrong method, and changes nothing', async () => {
    const { token } = await h.login('basics-method');
    const raw = async (method: string, path: string) => {
      const res = await h.app.handle(
        new Request(`http://localhost${path}`, { method, headers: { authorization: `Bearer ${token}` } }),
      );
      return { status: res.status, allow: res.headers.get('allow'), body: await res.json() };
    };
    // GET would otherwise reach GET /api/orders/:id and complain about the id "create".
    expect(await raw('GET', '/api/orders/create')).toEqual({
      status: 405,
      allow: 'POST',
      body: { detail: '该接口不支持 GET 请求，请使用 POST' },
    });
    expect(await raw('GET', '/api/orders/pay/1')).toMatchObject({ status: 405, allow: 'POST' });
    // Only the methods that serve this very path: GET /api/orders/:id would answer 405 for 'create'.
    expect(await raw('DELETE', '/api/orders/create')).toMatchObject({ status: 405, allow: 'POST' });
    expect(await raw('PATCH', '/api/orders/callback')).toMatchObject({ status: 405, allow: 'POST' });
    expect(await raw('DELETE', '/api/orders/7')).toMatchObject({ status: 405, allow: 'GET' });
    expect(await raw('POST', '/api/users/me/')).toMatchObject({ status: 405, allow: 'GET' });
    expect(await raw('PUT', '/api/products/1')).toMatchObject({ status: 405, allow: 'GET' });
    // An id that is merely malformed is still a 400 about the id, and an unknown path a 404.
    expect((await raw('GET', '/api/orders/abc')).status).toBe(400);
    expect((await raw('GET', '/api/nothing-here')).status).toBe(404);
    const orders = await h.request('GET', '/api/orders/', { token });
    expect(orders.body).toEqual([]);
  });

  it('labels every JSON answer alike: cached catalog, a product, a user, a list, an error', async () => {
    const { token } = await h.login('basics-type');
    const types = await Promise.all(
      [
        '/api/products/',
        '/api/products/1',
        '/api/users/me',
        '/api/orders/',
        '/api/orders/999',
        '/health',
      ].map(async (path) => (await h.request('GET', path, { token })).headers.get('content-type')),
    );
    expect(new Set(types)).toEqual(new Set(['application/json;charset=utf-8']));
  });

  it('says the body must be a JSON object when it is missing, text, an array or a string', async () => {
    const { token } = await h.login('basics-nobody');
    const detail = '请求参数错误: 请求体应为 JSON 对象（Content-Type: application/json）';
    const create = (headers: Record<string, string>, body?: string) =>
      h.app.handle(
        new Request('http://localhost/api/orders/create', {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, ...headers },
          ...(body === undefined ? {} : { body }),
        }),
      );
    for (const res of [
      await create({}),
      await create({ 'content-type': 'text/plain' }, 'product_id=1'),
      await create({ 'content-type': 'application/json' }, '[]'),
      await create({ 'content-type': 'application/json' }, '"1"'),
    ])
      expect({ status: res.status, body: await res.json() }).toEqual({ status: 400, body: { detail } });
    expect((await h.request('GET', '/api/orders/', { token })).body).toEqual([]);
  });

  it('returns 400 {detail} for malformed JSON', async () => {
    const { token } = await h.login('basics-json');
    const res = await h.request('POST', '/api/orders/create', { token, raw: '{"product_id": 1' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ detail: '请求体不是合法的 JSON' });
  });

  it('takes an empty JSON body as no fields: wx.request without data still sends content-type json', async () => {
    const { token } = await h.login('basics-empty');
    const created = await h.request('POST', '/api/orders/create', { token, body: { product_id: 1 } });
    const id = created.body.order_id as number;
    for (const raw of ['', ' \n'])
      expect((await h.request('POST', `/api/orders/pay/${id}`, { token, raw })).status).toBe(200);
    // A route that needs fields names the missing one.
    const res = await h.request('POST', '/api/orders/create', { token, raw: '' });
    expect(res.status).toBe(400);
    expect(res.body.detail).toContain('product_id');
    expect((await h.request('POST', '/api/auth/logout', { token, raw: '' })).status).toBe(200);
  });

  it('returns 413 {detail} for a body over 1 MiB', async () => {
    const { token } = await h.login('basics-big');
    const raw = JSON.stringify({ product_id: 1, pad: 'x'.repeat(1024 * 1024) });
    // A Request built in memory has no Content-Length of its own; every real client sends one.
    const res = await h.request('POST', '/api/orders/create', {
      token,
      raw,
      headers: { 'content-length': String(raw.length) },
    });
    expect(res.status).toBe(413);
    expect(res.body.detail).toContain('1 MiB');
  });

  it('works with and without a trailing slash', async () => {
    const a = await h.request('GET', '/api/products');
    const b = await h.request('GET', '/api/products/');
    expect(a.status).toBe(200);
    expect(a.body).toEqual(b.body);
    expect((await h.request('GET', '/api/products/1/')).body.id).toBe(1);
  });

  it('turns an unexpected error into 500 服务器内部错误 with a request id and one log line', async () => {
    const { createApp } = await import('../../src/app/http/create-app');
    const broken = {
      ...h.deps.catalog,
      listActive: async () => {
        throw new Error('disk on fire');
      },
    };
    const app = createApp({ ...h.deps, catalog: broken as typeof h.deps.catalog });
    const res = await app.handle(new Request('http://localhost/api/products/'));
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ detail: '服务器内部错误' });
    const id = res.headers.get('x-request-id');
    expect(id).toBeTruthy();
    const line = h.logs.find((l) => l.event === 'http.unhandled_error' && l.fields.request_id === id);
    expect(String(line?.fields.error)).toContain('disk on fire');
  });

  it('returns a request id header on success too', async () => {
    const res = await h.request('GET', '/health');
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });
});
