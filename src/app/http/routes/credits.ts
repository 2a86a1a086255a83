import { Elysia, t } from 'elysia';
import { listTransactions } from '../../../domain/usecases/credits';
import { authPlugin } from '../auth';
import type { AppDeps } from '../context';
import { ErrorBody, LedgerEntryBody, PageQuery } from '../schemas';

export const creditRoutes = (deps: AppDeps) =>
  new Elysia({ prefix: '/api/credits', detail: { tags: ['积分'] } })
    .use(authPlugin(deps, deps.jwt, deps.clock))
    .get(
      '/transactions',
      async ({ user, query }) =>
        (await listTransactions(deps)(user.id, { skip: query.skip ?? 0, limit: query.limit ?? 20 })).map(
          deps.present.entry,
        ),
      {
        auth: true,
        query: PageQuery,
        detail: { summary: '积分流水', description: '当前用户的积分变动记录，最新在前。' },
        response: { 200: t.Array(LedgerEntryBody), 400: ErrorBody, 401: ErrorBody },
      },
    );
