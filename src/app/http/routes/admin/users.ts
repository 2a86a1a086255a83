import { Elysia, status, t } from 'elysia';
import { adjustCredits, findUser, updateUser, userTransactions } from '../../../../domain/usecases/admin';
import { creditBalance } from '../../../../domain/usecases/credits';
import { AdjustCreditsRequest, AdminUserBody, UpdateUserRequest } from '../../admin-schemas';
import { authPlugin } from '../../auth';
import type { AppDeps } from '../../context';
import { type Limiter, rateLimits } from '../../limits';
import { problem } from '../../plugins';
import { ErrorBody, IdParam, LedgerEntryBody, PageQuery } from '../../schemas';

const UserParams = t.Object({ user_id: IdParam });
const guarded = { 401: ErrorBody, 403: ErrorBody, 429: ErrorBody };

export const adminUserRoutes = (deps: AppDeps, limits: Limiter) =>
  new Elysia({ prefix: '/api/admin/users', detail: { tags: ['管理'] } })
    .use(authPlugin(deps))
    .use(rateLimits(limits))
    .get(
      '/:user_id',
      async ({ params }) => {
        const found = await findUser(deps)(params.user_id);
        if (!found.ok) return problem(found.error);
        return deps.present.adminUser(found.value, await creditBalance(deps)(found.value.id));
      },
      {
        admin: true,
        limit: 'admin',
        params: UserParams,
        detail: { summary: '查看用户', description: '含积分余额与版本号（修改时可传入 version）。' },
        response: { 200: AdminUserBody, 400: ErrorBody, ...guarded, 404: ErrorBody },
      },
    )
    .patch(
      '/:user_id',
      async ({ user, params, body }) => {
        // An admin locking themselves out would leave nobody able to undo it without ADMIN_OPENIDS.
        if (params.user_id === user.id && (body.is_active === false || body.role === 'user'))
          return status(400, { detail: '不能禁用自己或取消自己的管理员权限' });
        const patch = {
          ...(body.is_active === undefined ? {} : { isActive: body.is_active }),
          ...(body.role === undefined ? {} : { role: body.role }),
        };
        if (Object.keys(patch).length === 0) return status(400, { detail: '请求参数错误: 至少修改一个字段' });
        const updated = await updateUser(deps)(params.user_id, patch, body.version);
        return updated.ok ? deps.present.adminUser(updated.value) : problem(updated.error);
      },
      {
        admin: true,
        limit: 'admin',
        params: UserParams,
        body: UpdateUserRequest,
        detail: {
          summary: '修改用户',
          description:
            '启用/禁用用户或修改角色；被禁用的用户立即失去访问权限。传入 version 时，若已被他人修改则 409 且不做任何修改。',
        },
        response: { 200: AdminUserBody, 400: ErrorBody, ...guarded, 404: ErrorBody, 409: ErrorBody },
      },
    )
    .post(
      '/:user_id/credits',
      async ({ params, body }) => {
        if (body.amount === 0) return status(400, { detail: '请求参数错误: amount 不能为 0' });
        const adjusted = await adjustCredits(deps)(params.user_id, {
          amount: body.amount,
          reason: body.reason,
          idempotencyKey: body.idempotency_key,
        });
        return adjusted.ok ? deps.present.entry(adjusted.value) : problem(adjusted.error);
      },
      {
        admin: true,
        limit: 'admin',
        params: UserParams,
        body: AdjustCreditsRequest,
        detail: {
          summary: '调整用户积分',
          description:
            '记一笔 adjust 流水；余额不会低于零（400 积分不足）；相同 idempotency_key 重复提交返回首次结果，同一键用于不同金额或原因返回 409。',
        },
        response: { 200: LedgerEntryBody, 400: ErrorBody, ...guarded, 404: ErrorBody, 409: ErrorBody },
      },
    )
    .get(
      '/:user_id/transactions',
      async ({ params, query }) => {
        const page = { skip: query.skip ?? 0, limit: query.limit ?? 20 };
        const listed = await userTransactions(deps)(params.user_id, page);
        return listed.ok ? listed.value.map(deps.present.entry) : problem(listed.error);
      },
      {
        admin: true,
        limit: 'admin',
        params: UserParams,
        query: PageQuery,
        detail: { summary: '查看用户积分流水', description: '最新在前。' },
        response: { 200: t.Array(LedgerEntryBody), 400: ErrorBody, ...guarded, 404: ErrorBody },
      },
    );
