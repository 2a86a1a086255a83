// One step of the framework floor (bench/framework-floor.ts): answers GET /api/products/ with fixed
// bytes, adding one layer of what the API does per request at a time. env: FLOOR_PORT, FLOOR_MODE.
//   bare            Bun.serve, content-type only (the baseline)
//   bare-headers    Bun.serve with the API's security headers and a request id
//   elysia          Elysia 1.4, one route, content-type only
//   elysia-headers  + the API's security headers (`.headers`)
//   elysia-hooks    + a global derive (request id) and onAfterResponse (where the API logs)
//   native-logged   Bun.serve route with headers, request id, a latency histogram and an access line
import { Elysia } from 'elysia';
import client from 'prom-client';
import { securityHeaders } from '../src/app/http/headers';
import { createLogger } from '../src/app/logger';

const port = Number(process.env.FLOOR_PORT ?? 0);
const mode = process.env.FLOOR_MODE ?? 'bare';
const body = new TextEncoder().encode(
  JSON.stringify([{ id: 1, name: '100积分', description: '基础积分包', price: 9.9, credits: 100 }]),
);
const JSON_HEADERS = { 'content-type': 'application/json' };
const security = securityHeaders({ https: false });
let n = 0;
const requestId = () => `f-${(++n).toString(36)}`;
const log = createLogger({});
const histogram = new client.Histogram({
  name: 'floor_request_seconds',
  help: 'latency',
  labelNames: ['method', 'route', 'status'],
});

function nativeServe(handler: (request: Request) => Response) {
  return Bun.serve({
    port,
    hostname: '127.0.0.1',
    routes: { '/api/products/': { GET: handler } },
    fetch: () => new Response('not found', { status: 404 }),
  });
}

function elysia(withHeaders: boolean, withHooks: boolean) {
  let app = new Elysia({ normalize: false });
  if (withHeaders) app = app.headers(security) as never;
  if (withHooks)
    app = app
      .derive({ as: 'global' }, ({ set }) => {
        const id = requestId();
        set.headers['x-request-id'] = id;
        return { requestId: id, startedAt: performance.now() };
      })
      .onAfterResponse({ as: 'global' }, ({ request, set }) => {
        void request.method;
        void set.status;
      }) as never;
  return app
    .get('/api/products/', ({ set }) => {
      const headers = { ...(set.headers as Record<string, string>), ...JSON_HEADERS };
      set.headers = {};
      return new Response(body, { headers });
    })
    .listen({ port, hostname: '127.0.0.1' });
}

switch (mode) {
  case 'bare':
    nativeServe(() => new Response(body, { headers: JSON_HEADERS }));
    break;
  case 'bare-headers':
    nativeServe(
      () => new Response(body, { headers: { ...security, ...JSON_HEADERS, 'x-request-id': requestId() } }),
    );
    break;
  case 'elysia':
    elysia(false, false);
    break;
  case 'elysia-headers':
    elysia(true, false);
    break;
  case 'elysia-hooks':
    elysia(true, true);
    break;
  case 'native-logged':
    nativeServe((request) => {
      const started = performance.now();
      const id = requestId();
      const response = new Response(body, { headers: { ...security, ...JSON_HEADERS, 'x-request-id': id } });
      const seconds = (performance.now() - started) / 1000;
      histogram.observe({ method: request.method, route: '/api/products/', status: 200 }, seconds);
      log('http.access', {
        method: request.method,
        route: '/api/products/',
        status: 200,
        ms: 0,
        request_id: id,
      });
      return response;
    });
    break;
  default:
    throw new Error(`unknown FLOOR_MODE ${mode}`);
}
process.on('SIGTERM', () => process.exit(0));
