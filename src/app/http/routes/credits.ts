import { Elysia, t } from 'elysia';
import { consumeCredits, listTransactions } from '../../../domain/usecases/credits';
import { authPlugin } from '../auth';
import type { AppDeps } from '../context';
import { type Limiter, rateLimits } from '../limits';
import { problem } from '../plugins';
import { ConsumeRequest, ErrorBody, LedgerEntryBody, PageQuery } from '../schemas';

export const creditRoutes = (deps: AppDeps, limits: Limiter) =>
  new Elysia({ prefix: '/api/credits', detail: { tags: ['积分'] } })
    .use(authPlugin(deps))
    .use(rateLimits(limits))
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
    )
    .post(
      '/consume',
      async ({ user, body }) => {
        const spent = await consumeCredits(deps)(user.id, {
          amount: body.amount,
          description: body.description,
          idempotencyKey: body.idempotency_key,
        });
        return spent.ok ? deps.present.entry(spent.value) : problem(spent.error);
      },
      {
        auth: true,
        limit: 'consume',
        body: ConsumeRequest,
        detail: {
          summary: '消费积分',
          description:
            '原子扣减当前用户积分，余额不足返回 400 积分不足；相同 idempotency_key 重复提交返回首次结果，不会重复扣减。',
        },
        response: { 200: LedgerEntryBody, 400: ErrorBody, 401: ErrorBody, 409: ErrorBody, 429: ErrorBody },
      },
    );
