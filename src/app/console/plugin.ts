import { type AnyElysia, Elysia } from 'elysia';
import type { AppDeps } from '../http/context';
import { accountPage } from './pages/account';
import { alertsPage } from './pages/alerts';
import { auditLogPage } from './pages/audit-log';
import { dashboardPage } from './pages/dashboard';
import { integrityPage } from './pages/integrity';
import { loginPage } from './pages/login';
import { logoutPage } from './pages/logout';
import { notFoundPage } from './pages/not-found';
import { operatorsPage } from './pages/operators';
import { orderDetailPage } from './pages/order-detail';
import { ordersPage } from './pages/orders';
import { productsPage } from './pages/products';
import { reviewsPage } from './pages/reviews';
import { statementsPage } from './pages/statements';
import { staticFiles } from './pages/static';
import { usersPage } from './pages/users';

/**
 * The console's page modules, each `(deps) => Elysia` with paths relative to /admin. A page that
 * needs a login starts from `consolePage(deps)` (auth.ts); adding a page is one line here.
 */
export type ConsolePageModule = (deps: AppDeps) => AnyElysia;

export const CONSOLE_PAGES: readonly ConsolePageModule[] = [
  loginPage,
  logoutPage,
  dashboardPage,
  ordersPage,
  orderDetailPage,
  productsPage,
  usersPage,
  reviewsPage,
  alertsPage,
  statementsPage,
  integrityPage,
  operatorsPage,
  auditLogPage,
  accountPage,
  // Last: the GET catch-all for every other /admin path.
  notFoundPage,
];

/** What a console page module uses; page modules import these from './auth' (this file imports them). */
export { audit, type ConsoleContext, consolePage, requireRole } from './auth';

/** The operator console: server-rendered pages under /admin (see README "Operator console"). */
export function consolePlugin(deps: AppDeps) {
  let app = new Elysia({ name: 'operator-console', prefix: '/admin' }).use(staticFiles());
  for (const page of CONSOLE_PAGES) app = app.use(page(deps)) as typeof app;
  return app;
}
