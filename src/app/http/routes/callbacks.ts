import { Elysia } from 'elysia';
import { recordNotification } from '../../../domain/usecases/journal-notifications';
import { handlePaymentEvent } from '../../../domain/usecases/notification';
import type { AppDeps } from '../context';
import { httpError } from '../errors';
import { problem } from '../plugins';
import { CallbackRequest, ErrorBody, MessageBody } from '../schemas';

/** WeChat retries on any non-2xx; this body shape is the one its docs ask for. */
export const wechatFail = (status: number, message: string) =>
  new Response(JSON.stringify({ code: 'FAIL', message }), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
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
  const noted = recordNotification(deps);
  return new Elysia({ prefix: '/api/orders', detail: { tags: ['支付回调'] } })
    .post(
      '/callback',
      async ({ request, body, status }) => {
        // With WeChat Pay direct, no gateway exists: a second key able to mark orders paid must not either.
        if (!deps.gatewayNotifications) return status(404, { detail: '未启用支付网关回调' });
        const at = deps.clock.now();
        const raw = String(body);
        const verified = deps.gatewayNotifications.verify(request.headers, raw);
        const handled = verified.ok ? await handlePaymentEvent(deps)(verified.value, 'callback') : verified;
        const received = { route: 'callback', at, headers: request.headers, rawBody: raw, verified } as const;
        if (handled.ok) {
          await noted({ ...received, handled, status: 200 });
          return { message: '处理支付回调成功' };
        }
        const { status: code, detail } = httpError(handled.error);
        await noted({ ...received, handled, status: code });
        deps.log('callback.rejected', {
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
          summary: '支付网关回调',
          description:
            '由支付网关调用。须带 `X-Gateway-Signature: t=<unix秒>,v1=<hex>`，v1 为以共享密钥对 `<t>.<原始请求体>` 计算的 HMAC-SHA256；时间窗 ±300 秒。重复回调返回同样的 200 且不产生任何变化。',
          // Documented only: validation happens after the signature check, on the verified bytes.
          requestBody: {
            content: { 'application/json': { schema: JSON.parse(JSON.stringify(CallbackRequest)) } },
          },
        },
        response: { 200: MessageBody, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
      },
    )
    .post(
      '/notify/wechatpay',
      async ({ request, body }) => {
        const notifications = deps.wechatpayNotifications;
        if (!notifications) return wechatFail(404, '未启用微信支付直连');
        const at = deps.clock.now();
        const raw = String(body);
        const verified = notifications.verify(request.headers, raw);
        const handled = verified.ok ? await handlePaymentEvent(deps)(verified.value, 'notify') : verified;
        const received = { route: 'notify', at, headers: request.headers, rawBody: raw, verified } as const;
        if (handled.ok) {
          await noted({ ...received, handled, status: 204 });
          return new Response(null, { status: 204 });
        }
        const { status: code, detail } = httpError(handled.error);
        await noted({ ...received, handled, status: code });
        deps.log('wechatpay.notify_rejected', { status: code, reason: handled.error.kind, detail });
        return wechatFail(code, detail);
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
