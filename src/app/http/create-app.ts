import { Elysia } from 'elysia';
import { observeRequests } from '../metrics/instrument';
import { metricsRoutes } from '../metrics/route';
import type { AppDeps } from './context';
import { docs } from './docs';
import { httpBasics, SERVER_BODY_CAP } from './plugins';
import { adminAuditRoutes } from './routes/admin/audit';
import { adminOrderRoutes } from './routes/admin/orders';
import { adminProductRoutes } from './routes/admin/products';
import { adminReviewRoutes } from './routes/admin/reviews';
import { adminStatementRoutes } from './routes/admin/statements';
import { adminUserRoutes } from './routes/admin/users';
import { authRoutes } from './routes/auth';
import { callbackRoutes, RAW_BODY_ROUTES } from './routes/callbacks';
import { creditRoutes } from './routes/credits';
import { healthRoutes } from './routes/health';
import { orderRoutes } from './routes/orders';
import { productRoutes } from './routes/products';
import { refundCallbackRoutes } from './routes/refund-callbacks';

/** The whole HTTP API; tests drive it through `app.handle(new Request(...))`. */
export function createApp(deps: AppDeps) {
  return (
    // normalize: false — unknown body fields are rejected (400) instead of silently dropped, and
    // responses are emitted exactly as the presenters build them.
    new Elysia({ normalize: false, serve: { maxRequestBodySize: SERVER_BODY_CAP } })
      .use(
        httpBasics(
          deps.log,
          deps.newRequestId,
          RAW_BODY_ROUTES,
          deps.metrics ? observeRequests(deps.metrics.metrics) : undefined,
        ),
      )
      // Docs before any auth hook so they stay public.
      .use(docs())
      .use(healthRoutes(deps))
      .use(deps.metrics ? metricsRoutes(deps.metrics) : new Elysia())
      .use(productRoutes(deps))
      .use(authRoutes(deps))
      .use(callbackRoutes(deps))
      .use(refundCallbackRoutes(deps))
      .use(orderRoutes(deps))
      .use(creditRoutes(deps))
      .use(adminProductRoutes(deps))
      .use(adminUserRoutes(deps))
      .use(adminOrderRoutes(deps))
      .use(adminReviewRoutes(deps))
      .use(adminAuditRoutes(deps))
      .use(adminStatementRoutes(deps))
  );
}

export type App = ReturnType<typeof createApp>;
