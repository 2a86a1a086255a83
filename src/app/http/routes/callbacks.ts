import { Elysia } from 'elysia';
import { handlePaymentEvent } from '../../../domain/usecases/notification';
import type { AppDeps } from '../context';
import { JSON_TYPE } from '../headers';
import { problem } from '../plugins';
import { CallbackRequest, ErrorBody, MessageBody } from '../schemas';
import { notificationReceiver } from './receive-notification';

/** WeChat retries on any non-2xx; this body shape is the one its docs ask for. */
export const wechatFail = (status: number, message: string) =>
  new Response(JSON.stringify({ code: 'FAIL', message }), {
    status,
    headers: { 'content-type': JSON_TYPE },
  });

/** Routes whose handlers need the exact received bytes (httpBasics hands them the text). */
export const RAW_BODY_ROUTES: ReadonlySet<string> = new Set([
  '/api/orders/callback',
  '/api/orders/notify/wechatpay',
  '/api/orders/callback/refund',
  '/api/orders/notify/wechatpay/refund',
  '/api/wechat/push',
]);

/**
 * Provider callbacks. Both read the raw body (`parse: 'text'`), because the signature covers the
 * exact bytes; JSON is parsed only after verification. Nothing changes unless verification passes.
 */
export const callbackRoutes = (deps: AppDeps) => {
  const receive = notificationReceiver(deps);
  return new Elysia({ prefix: '/api/orders', detail: { tags: ['支付回调'] } })
    .post(
      '/callback',
      async ({ request, body, status }) => {
        // With WeChat Pay direct, no gateway exists: a second key able to mark orders paid must not either.
        const gateway = deps.gatewayNotifications;
        if (!gateway) return status(404, { detail: '未启用支付网关回调' });
        return receive(
          {
            route: 'callback',
            verify: (headers, raw) => gateway.verify(headers, raw),
            handle: (event) => handlePaymentEvent(deps)(event, 'callback'),
            accepted: { status: 200, answer: () => ({ message: '处理支付回调成功' }) },
            refused: problem,
            rejectedEvent: 'callback.rejected',
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
          summary: '支付网关回调',
          description:
            '由支付网关调用。须带 `X-Gateway-Signature: t=<unix秒>,v1=<hex>`，v1 为以共享密钥对 `<t>.<原始请求体>` 计算的 HMAC-SHA256；时间窗 ±300 秒。重复回调返回同样的 200 且不产生任何变化。payment_id 只能属于一个订单：已用于另一订单的 payment_id 不结算本订单，返回 409 并转人工复核。',
          // Documented only: validation happens after the signature check, on the verified bytes.
          requestBody: {
            content: { 'application/json': { schema: JSON.parse(JSON.stringify(CallbackRequest)) } },
          },
        },
        response: { 200: MessageBody, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    )
    .post(
      '/notify/wechatpay',
      async ({ request, body }) => {
        const notifications = deps.wechatpayNotifications;
        if (!notifications) return wechatFail(404, '未启用微信支付直连');
        return receive(
          {
            route: 'notify',
            verify: (headers, raw) => notifications.verify(headers, raw),
            handle: (event) => handlePaymentEvent(deps)(event, 'notify'),
            accepted: { status: 204, answer: () => new Response(null, { status: 204 }) },
            refused: (_, code, detail) => wechatFail(code, detail),
            rejectedEvent: 'wechatpay.notify_rejected',
          },
          request.headers,
          body,
        );
      },
      {
        parse: 'text',
        detail: {
          hide: !deps.wechatpayNotifications,
          summary: '微信支付 APIv3 支付结果通知',
          description: '验签、AES-256-GCM 解密、核对商户号/AppID/金额后结算；成功返回 204。',
        },
      },
    );
};
