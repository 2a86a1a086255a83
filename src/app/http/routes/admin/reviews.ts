import { Elysia, t } from 'elysia';
import { listReviews, resolveReview } from '../../../../domain/usecases/admin';
import { ResolveReviewRequest, ReviewBody, ReviewQuery } from '../../admin-schemas';
import { authPlugin } from '../../auth';
import type { AppDeps } from '../../context';
import { type Limiter, rateLimits } from '../../limits';
import { problem } from '../../plugins';
import { ErrorBody } from '../../schemas';

const guarded = { 401: ErrorBody, 403: ErrorBody, 429: ErrorBody };

/** What the sweeper handed to a human: it retries none of these on its own. */
export const adminReviewRoutes = (deps: AppDeps, limits: Limiter) =>
  new Elysia({ prefix: '/api/admin/reviews', detail: { tags: ['管理'] } })
    .use(authPlugin(deps))
    .use(rateLimits(limits))
    .get(
      '/',
      async ({ query }) => {
        const page = { skip: query.skip ?? 0, limit: query.limit ?? 20 };
        return (await listReviews(deps)(query.open !== 'false', page)).map(deps.present.review);
      },
      {
        admin: true,
        limit: 'admin',
        query: ReviewQuery,
        detail: {
          summary: '待人工处理事项',
          description:
            '对账程序无法自行解决的订单（退款先于结算、重复支付、超时仍未确定、状态无结算记录），最新在前；默认只列未处理的，open=false 列出全部。',
        },
        response: { 200: t.Array(ReviewBody), 400: ErrorBody, ...guarded },
      },
    )
    .post(
      '/:review_id/resolve',
      async ({ params, body }) => {
        const resolved = await resolveReview(deps)(params.review_id, body.note);
        return resolved.ok ? deps.present.review(resolved.value) : problem(resolved.error);
      },
      {
        admin: true,
        limit: 'admin',
        params: t.Object({ review_id: t.String({ maxLength: 51, pattern: '^[0-9]{1,10}:[a-z_]{1,40}$' }) }),
        body: ResolveReviewRequest,
        detail: { summary: '标记事项已处理', description: '记录处理说明；审计不再把它算作问题。' },
        response: { 200: ReviewBody, 400: ErrorBody, ...guarded, 404: ErrorBody },
      },
    );
