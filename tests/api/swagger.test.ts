import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import type { Browser } from 'playwright-core';
import { type App, createApp } from '../../src/app/http/create-app';
import { launchBrowser } from '../console/browser';
import { testDeps } from '../support/app';

// Nothing is called upstream: the docs never reach the gateway or WeChat.
const UNUSED_URL = 'http://127.0.0.1:9';

const app = () => createApp(testDeps({ gatewayUrl: UNUSED_URL, wechatApiBase: UNUSED_URL }).deps);

type Operation = { summary?: string; tags?: string[]; security?: unknown };
type OpenApi = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components?: { securitySchemes?: Record<string, unknown> };
};

const OPERATIONS = [
  ['get', '/api/products/', 'public'],
  ['get', '/api/products/{product_id}', 'public'],
  ['post', '/api/orders/create', 'bearer'],
  ['post', '/api/orders/pay/{order_id}', 'bearer'],
  ['get', '/api/orders/', 'bearer'],
  ['get', '/api/orders/{order_id}', 'bearer'],
  ['get', '/api/orders/payment-status/{order_id}', 'bearer'],
  ['post', '/api/orders/callback', 'public'],
  ['post', '/api/orders/callback/refund', 'public'],
  ['post', '/api/auth/login', 'public'],
  ['get', '/api/users/me', 'bearer'],
  ['get', '/api/credits/transactions', 'bearer'],
  ['get', '/health', 'public'],
  ['get', '/ready', 'public'],
  ['post', '/api/admin/products/', 'bearer'],
  ['patch', '/api/admin/products/{product_id}', 'bearer'],
  ['delete', '/api/admin/products/{product_id}', 'bearer'],
  ['patch', '/api/admin/users/{user_id}', 'bearer'],
  ['post', '/api/admin/users/{user_id}/credits', 'bearer'],
  ['get', '/api/admin/users/{user_id}/transactions', 'bearer'],
  ['get', '/api/admin/orders/', 'bearer'],
  ['post', '/api/admin/orders/{order_id}/refund', 'bearer'],
  ['get', '/api/admin/orders/{order_id}/refund', 'bearer'],
] as const;

describe('GET /swagger/json', () => {
  let doc: OpenApi;
  beforeAll(async () => {
    const res = await app().handle(new Request('http://localhost/swagger/json'));
    doc = (await res.json()) as OpenApi;
  });

  it('is an OpenAPI 3 document', () => {
    expect(doc.openapi).toMatch(/^3\./);
  });

  it.each(OPERATIONS)('lists %s %s', (method, path) => {
    expect(doc.paths[path]?.[method]).toBeDefined();
  });

  it('describes what the server does: JSON only, integers as integers, 401/403 on every bearer route', () => {
    const text = JSON.stringify(doc);
    // Elysia's coercing integer ("a string, default 0, or an integer") never reaches the spec, nor
    // our decimal-string parameters or multipleOf-1 body numbers: ids, skip, limit are integers.
    expect(text).not.toContain('"format":"integer"');
    expect(text).not.toContain('x-integer');
    expect(text).not.toContain('"multipleOf":1');
    type Param = { name: string; schema: { type?: string } };
    // The timeline takes an order id or an order number, and a review id is `<order>:<reason>`.
    const textual = ['/api/admin/orders/{order_id}/timeline', '/api/admin/reviews/{review_id}/resolve'];
    const params = Object.entries(doc.paths)
      .filter(([path]) => !textual.includes(path))
      .flatMap(([, ops]) =>
        Object.values(ops).flatMap((op) => ((op as { parameters?: Param[] }).parameters ?? []) as Param[]),
      );
    for (const p of params.filter((p) => /_id$|^skip$|^limit$/.test(p.name)))
      expect({ name: p.name, type: p.schema.type }).toEqual({ name: p.name, type: 'integer' });
    for (const [path, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops)) {
        const o = op as Operation & {
          requestBody?: { content?: Record<string, unknown> };
          responses?: Record<string, { content?: Record<string, unknown> }>;
        };
        const types = [o.requestBody, ...Object.values(o.responses ?? {})].flatMap((x) =>
          Object.keys(x?.content ?? {}),
        );
        expect({
          at: `${method} ${path}`,
          types: [...new Set(types)].filter((t) => t !== 'application/json'),
        }).toEqual({
          at: `${method} ${path}`,
          types: [],
        });
        // OpenAPI 3.0 responses: a description, and no keys it does not define.
        for (const [code, answer] of Object.entries(o.responses ?? {}))
          expect({
            at: `${method} ${path} ${code}`,
            keys: Object.keys(answer).filter(
              (k) => !['description', 'headers', 'content', 'links'].includes(k),
            ),
            described: typeof (answer as { description?: unknown }).description === 'string',
          }).toEqual({ at: `${method} ${path} ${code}`, keys: [], described: true });
        if (JSON.stringify(o.security ?? []).includes('bearerAuth'))
          expect({
            at: `${method} ${path}`,
            has: ['401', '403'].every((c) => c in (o.responses ?? {})),
          }).toEqual({
            at: `${method} ${path}`,
            has: true,
          });
      }
  });

  it('gives every operation a summary and a tag', () => {
    const missing = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => !op.summary || !op.tags?.length)
        .map(([method]) => `${method} ${path}`),
    );
    expect(missing).toEqual([]);
  });

  it.each(OPERATIONS.filter(([, , auth]) => auth === 'bearer'))(
    'marks %s %s as bearer-protected',
    (method, path) => {
      expect(doc.paths[path]?.[method]?.security).toEqual([{ bearerAuth: [] }]);
    },
  );

  it.each(OPERATIONS.filter(([, , auth]) => auth === 'public'))(
    'asks no bearer token for %s %s',
    (method, path) => {
      expect(doc.paths[path]?.[method]?.security).toBeUndefined();
    },
  );

  it('tags every admin operation 管理', () => {
    const admin = Object.entries(doc.paths).filter(([path]) => path.startsWith('/api/admin/'));
    expect(admin.length).toBeGreaterThanOrEqual(6);
    for (const [, ops] of admin) for (const op of Object.values(ops)) expect(op.tags).toEqual(['管理']);
  });

  it('declares the bearerAuth scheme', () => {
    expect(doc.components?.securitySchemes?.bearerAuth).toEqual({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
  });
});

describe('GET /swagger in headless Chromium', () => {
  let server: App;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    server = app().listen({ port: 0, hostname: '127.0.0.1' });
    base = `http://127.0.0.1:${server.server?.port}`;
    // A missing browser must fail the suite, not skip it: `bun scripts/test.ts` installs one.
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop(true);
  });

  it('renders every operation from local assets', async () => {
    const page = await browser.newPage();
    const offline: string[] = [];
    page.on('request', (req) => {
      if (!req.url().startsWith(base)) offline.push(req.url());
    });
    await page.goto(`${base}/swagger`);
    await page.waitForSelector('.opblock', { timeout: 15_000 });
    // Swagger UI breaks displayed paths with zero-width spaces; data-path holds the exact path.
    const paths = await page.$$eval('.opblock-summary-path', (els) =>
      els.map((e) => e.getAttribute('data-path')),
    );
    const summaries = await page.$$eval('.opblock-summary-description', (els) =>
      els.map((e) => e.textContent),
    );
    await page.screenshot({ path: '/tmp/swagger.png', fullPage: true });
    expect(paths).toEqual(expect.arrayContaining(OPERATIONS.map(([, path]) => path)));
    expect(summaries).toEqual(expect.arrayContaining(['创建订单', '获取商品列表', '支付网关回调']));
    expect(offline).toEqual([]);
  });
});
