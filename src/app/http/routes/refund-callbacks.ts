import { Elysia } from 'elysia';
import { handleRefundNotice } from '../../../domain/usecases/refund-follow';
import type { AppDeps } from '../context';
import { problem } from '../plugins';
import { ErrorBody, MessageBody } from '../schemas';
import { wechatFail } from './callbacks';
import { notificationReceiver } from './receive-notification';

/**
 * Refund results pushed by the provider, at the notify URL our refund request names. Same rules as the
 * payment callbacks: raw body, verify first, nothing changes unless it verifies; the result goes
 * through the same refund use case as the admin's call and the follower.
 */
export const refundCallbackRoutes = (deps: AppDeps) => {
  const receive = notificationReceiver(deps);
  return new Elysia({ prefix: '/api/orders', detail: { tags: ['支付回调'] } })
    .post(
      '/callback/refund',
      async ({ request, body, status }) => {
        const gateway = deps.gatewayNotifications;
        if (!gateway) return status(404, { detail: '未启用支付网关回调' });
        return receive(
          {
            route: 'refund_callback',
            verify: (headers, raw) => gateway.verifyRefund(headers, raw),
            handle: (notice) => handleRefundNotice(deps)(notice),
            accepted: { status: 200, answer: () => ({ message: '处理退款回调成功' }) },
            refused: problem,
            rejectedEvent: 'refund_callback.rejected',
            logBody: true,
          },
          request.headers,
          body,
        );
      },
      {
        parse: 'text',
        detail: {
          hide: !deps.gatewayNotifications,
          summary: '支付网关退款结果回调',
          description:
            '由支付网关调用，签名规则同支付回调（`X-Gateway-Signature`）。请求体 `{out_refund_no, out_trade_no, refund_id, status, refund_fen}`；重复回调返回同样的 200。',
        },
        response: { 200: MessageBody, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
      },
    )
    .post(
      '/notify/wechatpay/refund',
      async ({ request, body }) => {
        const notifications = deps.wechatpayNotifications;
        if (!notifications) return wechatFail(404, '未启用微信支付直连');
        return receive(
          {
            route: 'refund_notify',
            verify: (headers, raw) => notifications.verifyRefund(headers, raw),
            handle: (notice) => handleRefundNotice(deps)(notice),
            accepted: { status: 204, answer: () => new Response(null, { status: 204 }) },
            refused: (_, code, detail) => wechatFail(code, detail),
            rejectedEvent: 'wechatpay.refund_notify_rejected',
          },
          request.headers,
          body,
        );
      },
      {
        parse: 'text',
        detail: {
          hide: !deps.wechatpayNotifications,
          summary: '微信支付 APIv3 退款结果通知',
          description:
            'REFUND.SUCCESS / REFUND.ABNORMAL / REFUND.CLOSED：验签、AES-256-GCM 解密、核对商户号、退款单号、订单号与金额后记录；成功返回 204。',
        },
      },
    );
};
