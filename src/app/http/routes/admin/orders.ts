import { Elysia, status, t } from 'elysia';
import { fenToYuan } from '../../../../domain/money';
import { searchOrders } from '../../../../domain/usecases/admin';
import { refundOrder } from '../../../../domain/usecases/refund';
import { AdminOrderQuery, RefundRequest, RefundResponse } from '../../admin-schemas';
import { authPlugin } from '../../auth';
import type { AppDeps } from '../../context';
import { parseBound } from '../../date-range';
import { problem } from '../../plugins';
import { ErrorBody, IdParam, OrderBody } from '../../schemas';

const guarded = { 401: ErrorBody, 403: ErrorBody };

export const adminOrderRoutes = (deps: AppDeps) =>
  new Elysia({ prefix: '/api/admin/orders', detail: { tags: ['管理'] } })
    .use(authPlugin(deps))
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
        });
        if (!refunded.ok) return problem(refunded.error);
        const { order, refund, entry } = refunded.value;
        return {
          order_id: order.id,
          order_no: order.orderNo,
          status: 'refunded' as const,
          out_refund_no: refund.outRefundNo,
          refund_amount: fenToYuan(refund.refundFen),
          credits_deducted: entry ? -entry.amount : 0,
          refund_time: deps.present.order(order).refund_time,
          message: '退款成功',
        };
      },
      {
        admin: true,
        params: t.Object({ order_id: IdParam }),
        body: t.Optional(RefundRequest),
        detail: {
          summary: '订单退款',
          description:
            '仅已完成订单，全额退款，恰好一次：重复调用返回同一结果。用户积分已被使用时拒绝（400），除非 force=true（只扣除剩余积分）。支付服务不可用时返回 502，可安全重试。',
        },
        response: { 200: RefundResponse, 400: ErrorBody, ...guarded, 404: ErrorBody, 502: ErrorBody },
      },
    );
