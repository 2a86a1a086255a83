import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { loadConfig } from '../../src/app/config';
import { createApp } from '../../src/app/http/create-app';
import { type HttpHarness, httpHarness } from './harness';

let h: HttpHarness;
beforeAll(async () => {
  h = await httpHarness();
});
afterAll(() => h.stop());

const get = (app: ReturnType<typeof createApp>, path: string) =>
  app.handle(new Request(`http://localhost${path}`));

/** Every string schema in a tree that has no upper bound on its length, by path. */
function unboundedStrings(schema: unknown, path = ''): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const s = schema as Record<string, unknown>;
  const here =
    s.type === 'string' &&
    s.maxLength === undefined &&
    s.const === undefined &&
    s.enum === undefined &&
    // Elysia's own branch for numeric query and path parameters: it must parse as a number.
    s.format !== 'integer' &&
    s.format !== 'numeric'
      ? [path || '/']
      : [];
  return [...here, ...Object.entries(s).flatMap(([k, v]) => unboundedStrings(v, `${path}/${k}`))];
}

describe('input limits on every route', () => {
  it('bound every string a route accepts (body, query, params, headers)', () => {
    const found = h.app.routes.flatMap((r) => {
      const hooks = (r.hooks ?? {}) as Record<string, unknown>;
      return ['body', 'query', 'params', 'headers'].flatMap((part) =>
        unboundedStrings(hooks[part]).map((p) => `${r.method} ${r.path} ${part}${p}`),
      );
    });
    expect(h.app.routes.length).toBeGreaterThan(25);
    expect(found).toEqual([]);
  });

  it('refuses a string past its bound with 400 {detail}', async () => {
    const { token } = await h.login('long-strings');
    const res = await h.request('POST', '/api/credits/consume', {
      token,
      body: { amount: 1, description: '长'.repeat(101), idempotency_key: 'k' },
    });
    expect(res.status).toBe(400);
    expect(res.body.detail).toContain('description');
    const code = await h.request('POST', '/api/auth/login', { body: { code: 'x'.repeat(129) } });
    expect(code.status).toBe(400);
  });
});

describe('production settings', () => {
  it('hides Swagger UI and the spec unless SWAGGER=on; production defaults to off', async () => {
    const app = createApp({ ...h.deps, http: { ...h.deps.http, docs: false } });
    for (const path of ['/swagger', '/swagger/json', '/swagger/assets/swagger-ui.css', '/swagger/cdn'])
      expect([path, (await get(app, path)).status]).toEqual([path, 404]);
    const prod = {
      NODE_ENV: 'production',
      JWT_SECRET: 'p'.repeat(40),
      WECHAT_SECRET: 'wechat-secret-of-ours',
      WECHAT_APPID: 'wx1234567890abcdef',
      GATEWAY_CALLBACK_SECRET: 'g'.repeat(20),
      PUBLIC_BASE_URL: 'https://shop.example.com',
    };
    expect(loadConfig(prod).abuse.docs).toBe(false);
    expect(loadConfig({ ...prod, SWAGGER: 'on' }).abuse.docs).toBe(true);
    expect(loadConfig({}).abuse.docs).toBe(true);
  });

  it('serves the Swagger page under its own CSP, with no inline script', async () => {
    const page = await get(h.app, '/swagger');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).not.toMatch(/<script>(?!<)/);
    expect((await get(h.app, '/swagger/assets/init.js')).status).toBe(200);
  });

  it('sends Strict-Transport-Security only when the public origin is HTTPS', async () => {
    expect((await get(h.app, '/health')).headers.get('strict-transport-security')).toBeNull();
    const https = createApp({ ...h.deps, http: { ...h.deps.http, https: true } });
    expect((await get(https, '/health')).headers.get('strict-transport-security')).toBe('max-age=31536000');
  });

  it('answers a request that outlives the deadline with 503 {detail}, headers and one log line', async () => {
    // A database that never answers.
    const app = createApp({
      ...h.deps,
      dbReady: () => new Promise<never>(() => {}),
      http: { ...h.deps.http, requestTimeoutMs: 100 },
    });
    const started = Date.now();
    const res = await get(app, '/ready');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ detail: '请求处理超时，请稍后重试' });
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const id = res.headers.get('x-request-id');
    expect(h.logs.some((l) => l.event === 'http.timeout' && l.fields.request_id === id)).toBe(true);
    // A fast request through the same deadline is untouched.
    expect((await get(app, '/api/products/')).status).toBe(200);
    expect((await get(app, '/api/nothing')).status).toBe(404);
  });

  it('reads every abuse setting with a clear message for a wrong value', () => {
    const wrong = {
      RATE_LIMIT_LOGIN: 'ip:lots',
      LOGIN_FAILURES_PER_IP: '10/2y',
      TRUSTED_PROXIES: '10.0.0.0/99,proxy.local',
      DAILY_PURCHASE_LIMIT_YUAN: '9.999',
      SWAGGER: 'maybe',
    };
    let message = '';
    try {
      loadConfig(wrong);
    } catch (e) {
      message = (e as Error).message;
    }
    for (const name of Object.keys(wrong)) expect(message).toContain(name);
  });
});
