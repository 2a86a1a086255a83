import { Elysia, status, t } from 'elysia';
import { searchOrders } from '../../../../domain/usecases/admin';
import { refundOrder } from '../../../../domain/usecases/refund';
import { followRefund } from '../../../../domain/usecases/refund-follow';
import { AdminOrderQuery, RefundRequest, RefundResponse } from '../../admin-schemas';
import { authPlugin } from '../../auth';
import type { AppDeps } from '../../context';
import { parseBound } from '../../date-range';
import { type Limiter, rateLimits } from '../../limits';
import { problem } from '../../plugins';
import { ErrorBody, IdParam, OrderBody } from '../../schemas';

const guarded = { 401: ErrorBody, 403: ErrorBody, 429: ErrorBody };
const OrderIdParams = t.Object({ order_id: IdParam });

export const adminOrderRoutes = (deps: AppDeps, limits: Limiter) =>
  new Elysia({ prefix: '/api/admin/orders', detail: { tags: ['管理'] } })
    .use(authPlugin(deps))
    .use(rateLimits(limits))
    .get(
      '/',
      async ({ query }) => {
        const tz = deps.settings.timeZone;
        const from = query.from === undefined ? undefined : parseBound(query.from, tz, 'from');
        const to = query.to === undefined ? undefined : parseBound(query.to, tz, 'to');
        if ((query.from !== undefined && !from) || (query.to !== undefined && !to))
          return status(400, { detail: '请求参数错误: from/to 应为 YYYY-MM-DD 或 ISO 8601 时间' });
        const orders = await searchOrders(deps)(
          {
            status: query.status,
            userId: query.user_id,
            orderNo: query.order_no,
            createdFrom: from,
            createdTo: to,
          },
          { skip: query.skip ?? 0, limit: query.limit ?? 20 },
        );
        return orders.map(deps.present.order);
      },
      {
        admin: true,
        limit: 'admin',
        query: AdminOrderQuery,
        detail: {
          summary: '搜索订单',
          description: '按状态、用户、订单号、创建日期筛选（条件同时满足），最新在前。日期按服务时区解释。',
        },
        response: { 200: t.Array(OrderBody), 400: ErrorBody, ...guarded },
      },
    )
    .post(
      '/:order_id/refund',
      async ({ params, body }) => {
        const refunded = await refundOrder(deps)(params.order_id, {
          reason: body?.reason,
          force: body?.force,
          retryOf: body?.retry_of,
        });
        return refunded.ok ? deps.present.refund(refunded.value) : problem(refunded.error);
      },
      {
        admin: true,
        limit: 'admin',
        params: OrderIdParams,
        body: t.Optional(RefundRequest),
        detail: {
          summary: '订单退款',
          description:
            '仅已完成订单，全额退款。先扣回积分再请求支付服务；用户积分不足时拒绝（400，不做任何改动），除非 force=true（只扣除剩余积分）。' +
            '重复或并发调用从已记录的状态继续并返回同一结果。支付服务受理后为 processing，成功后订单才变为 refunded；' +
            '关闭/异常/被拒绝时积分退回，可带 retry_of=<原退款单号> 以新的退款单号重新发起。支付服务不可用时返回 502，可安全重试。' +
            '小程序虚拟支付（xpay）的 iOS 订单（Apple IAP）开发者无法退款：返回 409 并在 detail 中说明（须用户向 Apple 申请），不扣积分、不做任何改动。',
        },
        response: {
          200: RefundResponse,
          400: ErrorBody,
          ...guarded,
          404: ErrorBody,
          409: ErrorBody,
          502: ErrorBody,
        },
      },
    )
    .get(
      '/:order_id/refund',
      async ({ params }) => {
        const followed = await followRefund(deps)(params.order_id);
        return followed.ok ? deps.present.refund(followed.value) : problem(followed.error);
      },
      {
        admin: true,
        limit: 'admin',
        params: OrderIdParams,
        detail: {
          summary: '查询退款',
          description: '最近一次退款尝试的状态；处理中的退款会向支付服务查询并记录结果（与后台跟进相同）。',
        },
        response: { 200: RefundResponse, ...guarded, 404: ErrorBody, 502: ErrorBody },
      },
    );
