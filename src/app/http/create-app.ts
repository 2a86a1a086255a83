import { Elysia } from 'elysia';
import { consolePlugin } from '../console/plugin';
import { observeRequests } from '../metrics/instrument';
import { metricsRoutes } from '../metrics/route';
import type { AppDeps } from './context';
import { docs } from './docs';
import { securityHeaders, withDeadline } from './headers';
import { limiter } from './limits';
import { allowedMethods } from './methods';
import { httpBasics, SERVER_BODY_CAP } from './plugins';
import { adminAlertRoutes } from './routes/admin/alerts';
import { adminAuditRoutes } from './routes/admin/audit';
import { adminOrderRoutes } from './routes/admin/orders';
import { adminProductRoutes } from './routes/admin/products';
import { adminReviewRoutes } from './routes/admin/reviews';
import { adminStatementRoutes } from './routes/admin/statements';
import { adminTimelineRoutes } from './routes/admin/timeline';
import { adminUserRoutes } from './routes/admin/users';
import { authRoutes } from './routes/auth';
import { callbackRoutes, RAW_BODY_ROUTES } from './routes/callbacks';
import { creditRoutes } from './routes/credits';
import { healthRoutes } from './routes/health';
import { orderRoutes } from './routes/orders';
import { productRoutes } from './routes/products';
import { refundCallbackRoutes } from './routes/refund-callbacks';
import { wechatPushRoutes } from './routes/wechat-push';

/** The whole HTTP API; tests drive it through `app.handle(new Request(...))`. */
export function createApp(deps: AppDeps) {
  const limits = limiter({ ...deps, limits: deps.http.limits, trustedProxies: deps.http.trustedProxies });
  const headers = securityHeaders({ https: deps.http.https });
  const app = new Elysia({
    // normalize: false — unknown body fields are rejected (400) instead of silently dropped, and
    // responses are emitted exactly as the presenters build them.
    normalize: false,
    // reusePort: false — Elysia's default lets a second process bind a port that is taken and
    // silently share its traffic; a taken port must be an error (main.ts says so in one line).
    serve: { maxRequestBodySize: SERVER_BODY_CAP, reusePort: false },
  })
    // Copied into every response by Elysia itself (see headers.ts), errors included.
    .headers(headers);
  const deadline = deps.http.requestTimeoutMs;
  const timed =
    deadline > 0
      ? app.wrap(
          withDeadline(deadline, headers, (request) => {
            const requestId = deps.newRequestId();
            const { pathname } = new URL(request.url);
            deps.log('http.timeout', { request_id: requestId, method: request.method, path: pathname });
            return requestId;
          }) as never,
        )
      : app;
  // The socket is read through the app's own server (set by listen), not a context getter: this
  // hook runs for every request, and the peer matters only for a request that brings an id.
  const basics = timed.use(
    httpBasics(
      deps.log,
      deps.newRequestId,
      RAW_BODY_ROUTES,
      deps.metrics ? observeRequests(deps.metrics.metrics) : undefined,
      (request) => limits.addresses.fromTrustedProxy(request, app.server),
      allowedMethods(() => app.routes),
    ),
  );
  // Docs before any auth hook so they stay public; in production only when SWAGGER=on.
  return (deps.http.docs ? basics.use(docs()) : basics)
    .use(healthRoutes(deps))
    .use(deps.metrics ? metricsRoutes(deps.metrics) : new Elysia())
    .use(productRoutes(deps))
    .use(authRoutes(deps, limits))
    .use(callbackRoutes(deps))
    .use(refundCallbackRoutes(deps))
    .use(wechatPushRoutes(deps))
    .use(orderRoutes(deps, limits))
    .use(creditRoutes(deps, limits))
    .use(adminProductRoutes(deps, limits))
    .use(adminUserRoutes(deps, limits))
    .use(adminOrderRoutes(deps, limits))
    .use(adminTimelineRoutes(deps, limits))
    .use(adminReviewRoutes(deps, limits))
    .use(adminAuditRoutes(deps, limits))
    .use(adminStatementRoutes(deps, limits))
    .use(adminAlertRoutes(deps, limits))
    .use(consolePlugin(deps));
}

export type App = ReturnType<typeof createApp>;
