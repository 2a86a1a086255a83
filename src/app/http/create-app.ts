import { Elysia } from 'elysia';
import type { AppDeps } from './context';
import { docs } from './docs';
import { httpBasics, MAX_BODY_BYTES } from './plugins';
import { authRoutes } from './routes/auth';
import { callbackRoutes } from './routes/callbacks';
import { creditRoutes } from './routes/credits';
import { healthRoutes } from './routes/health';
import { orderRoutes } from './routes/orders';
import { productRoutes } from './routes/products';

/** The whole HTTP API; tests drive it through `app.handle(new Request(...))`. */
export function createApp(deps: AppDeps) {
  return (
    new Elysia({ serve: { maxRequestBodySize: MAX_BODY_BYTES } })
      .use(httpBasics(deps.log, deps.newRequestId))
      // Docs before any auth hook so they stay public.
      .use(docs())
      .use(healthRoutes(deps))
      .use(productRoutes(deps))
      .use(authRoutes(deps))
      .use(callbackRoutes(deps))
      .use(orderRoutes(deps))
      .use(creditRoutes(deps))
  );
}

export type App = ReturnType<typeof createApp>;
