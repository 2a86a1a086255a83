import { Elysia, t } from 'elysia';
import type { DomainError } from '../../../domain/errors';
import { fenToYuan } from '../../../domain/money';
import { isVirtualPayment } from '../../../domain/payment';
import { createOrder, findOwnOrder, listOrders, payOrder } from '../../../domain/usecases/orders';
import { queryPaymentStatus } from '../../../domain/usecases/payment-status';
import { authPlugin } from '../auth';
import type { AppDeps } from '../context';
import { type Limiter, rateLimits } from '../limits';
import { problem } from '../plugins';
import {
  CreateOrderRequest,
  CreateOrderResponse,
  ErrorBody,
  IdParam,
  OrderBody,
  OrderDetailBody,
  PageQuery,
  PaymentStatusResponse,
  PayResponse,
  VirtualPayResponse,
} from '../schemas';

const OrderIdParams = t.Object({ order_id: IdParam });

/** Provider failures reach the client as a fixed message; the details are for the operator's log. */
function logProviderError(deps: AppDeps, orderId: number, error: DomainError) {
  if (error.kind === 'provider_unavailable' || error.kind === 'provider_rejected') {
    deps.log('payment.provider_error', { order_id: orderId, ...error });
  }
}
const own = { 401: ErrorBody, 404: ErrorBody };

export const orderRoutes = (deps: AppDeps, limits: Limiter) =>
  new Elysia({ prefix: '/api/orders', detail: { tags: ['订单'] } })
    .use(authPlugin(deps))
    .use(rateLimits(limits))
    .post(
      '/create',
      async ({ user, body }) => {
        const created = await createOrder(deps)(user.id, body.product_id);
        if (!created.ok) return problem(created.error);
        const o = created.value;
        return {
          order_id: o.id,
          order_no: o.orderNo,
          amount: fenToYuan(o.amountFen),
          credits: o.credits,
          message: '订单创建成功',
        };
      },
      {
        auth: true,
        limit: 'create',
        body: CreateOrderRequest,
        detail: {
          summary: '创建订单',
          description: '金额与积分取自服务端商品数据；客户端传入的金额、积分、状态一概不用。',
        },
        response: { 200: CreateOrderResponse, 400: ErrorBody, ...own, 429: ErrorBody },
      },
    )
    .post(
      '/pay/:order_id',
      async ({ user, params }) => {
        const paid = await payOrder(deps)(user, params.order_id);
        if (paid.ok) {
          const data = paid.value;
          // The seed's clients keep their exact shape; only xpay's answer names its client call.
          return isVirtualPayment(data)
            ? {
                payment_data: data,
                client_call: 'wx.requestVirtualPayment' as const,
                message: '创建支付成功',
              }
            : { payment_data: data, message: '创建支付成功' };
        }
        logProviderError(deps, params.order_id, paid.error);
        return problem(paid.error);
      },
      {
        auth: true,
        limit: 'pay',
        params: OrderIdParams,
        detail: {
          summary: '发起支付',
          description:
            '微信支付（gateway / wechatpay）：返回 wx.requestPayment 所需参数；重复调用复用同一预支付单，不会重复扣款。\n\n' +
            '小程序虚拟支付（PAYMENT_PROVIDER=xpay）：返回 wx.requestVirtualPayment 所需的 mode、signData、paySig、signature，并以 `client_call` 指明调用的接口；signature 用该用户最近一次登录的 session_key 计算。没有可用的 session_key 时 409（客户端须 wx.login 重新登录后再发起支付）；商品未配置道具 productId 时 409。积分只在微信的发货推送或对账查询确认支付后发放，客户端的 success 回调不发放积分。',
        },
        response: {
          200: t.Union([PayResponse, VirtualPayResponse]),
          400: ErrorBody,
          ...own,
          409: ErrorBody,
          429: ErrorBody,
          502: ErrorBody,
        },
      },
    )
    .get(
      '/payment-status/:order_id',
      async ({ user, params }) => {
        const s = await queryPaymentStatus(deps)(user.id, params.order_id);
        if (!s.ok) {
          logProviderError(deps, params.order_id, s.error);
          return problem(s.error);
        }
        return {
          order_id: s.value.orderId,
          status: s.value.status,
          paid: s.value.paid,
          message: s.value.message,
        };
      },
      {
        auth: true,
        limit: 'status',
        params: OrderIdParams,
        detail: {
          summary: '查询支付状态',
          description: '已结算订单直接由数据库回答；待支付订单向支付服务查询并在支付成功时发放积分。',
        },
        response: { 200: PaymentStatusResponse, 400: ErrorBody, ...own, 429: ErrorBody, 502: ErrorBody },
      },
    )
    .get(
      '/',
      async ({ user, query }) =>
        (await listOrders(deps)(user.id, { skip: query.skip ?? 0, limit: query.limit ?? 20 })).map(
          deps.present.order,
        ),
      {
        auth: true,
        query: PageQuery,
        detail: { summary: '获取用户订单列表', description: '最新在前。' },
        response: { 200: t.Array(OrderBody), 400: ErrorBody, 401: ErrorBody },
      },
    )
    .get(
      '/:order_id',
      async ({ user, params }) => {
        const found = await findOwnOrder(deps)(user.id, params.order_id);
        return found.ok ? deps.present.orderDetail(found.value) : problem(found.error);
      },
      {
        auth: true,
        params: OrderIdParams,
        detail: { summary: '获取订单详情' },
        response: { 200: OrderDetailBody, 400: ErrorBody, ...own },
      },
    );
