import { Elysia } from 'elysia';
import { recordNotification } from '../../../domain/usecases/journal-notifications';
import { handleRefundNotice } from '../../../domain/usecases/refund-follow';
import type { AppDeps } from '../context';
import { httpError } from '../errors';
import { problem } from '../plugins';
import { ErrorBody, MessageBody } from '../schemas';
import { wechatFail } from './callbacks';

/**
 * Refund results pushed by the provider, at the notify URL our refund request names. Same rules as the
 * payment callbacks: raw body, verify first, nothing changes unless it verifies; the result goes
 * through the same refund use case as the admin's call and the follower.
 */
export const refundCallbackRoutes = (deps: AppDeps) => {
  const noted = recordNotification(deps);
  return new Elysia({ prefix: '/api/orders', detail: { tags: ['支付回调'] } })
    .post(
      '/callback/refund',
      async ({ request, body, status }) => {
        if (!deps.gatewayNotifications) return status(404, { detail: '未启用支付网关回调' });
        const at = deps.clock.now();
        const raw = String(body);
        const verified = deps.gatewayNotifications.verifyRefund(request.headers, raw);
        const handled = verified.ok ? await handleRefundNotice(deps)(verified.value) : verified;
        const received = {
          route: 'refund_callback',
          at,
          headers: request.headers,
          rawBody: raw,
          verified,
        } as const;
        if (handled.ok) {
          await noted({ ...received, handled, status: 200 });
          return { message: '处理退款回调成功' };
        }
        const { status: code, detail } = httpError(handled.error);
        await noted({ ...received, handled, status: code });
        deps.log('refund_callback.rejected', {
          status: code,
          reason: handled.error.kind,
          detail,
          body: raw.slice(0, 512),
        });
        return problem(handled.error);
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
        const at = deps.clock.now();
        const raw = String(body);
        const verified = notifications.verifyRefund(request.headers, raw);
        const handled = verified.ok ? await handleRefundNotice(deps)(verified.value) : verified;
        const received = {
          route: 'refund_notify',
          at,
          headers: request.headers,
          rawBody: raw,
          verified,
        } as const;
        if (handled.ok) {
          await noted({ ...received, handled, status: 204 });
          return new Response(null, { status: 204 });
        }
        const { status: code, detail } = httpError(handled.error);
        await noted({ ...received, handled, status: code });
        deps.log('wechatpay.refund_notify_rejected', { status: code, reason: handled.error.kind, detail });
        return wechatFail(code, detail);
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
