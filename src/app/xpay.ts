// PAYMENT_PROVIDER=xpay wiring that needs both the adapter and the use cases: the buyer lookups of
// the adapter and the push handlers of the message-push endpoint.
import {
  devSessionKeySecret,
  sealedSessionKeys,
  sessionKeySecret,
} from '../adapters/crypto/sealed-session-keys';
import {
  createXpayPayments,
  readDelivery,
  readRefundNotice,
  type WechatPost,
  type XpayConfig,
  type XpayLookup,
  xpayConfigFromEnv,
} from '../adapters/payment/xpay';
import type { Orders, Refunds, SessionKeys, Users } from '../domain/ports';
import type { Deps } from '../domain/usecases/deps';
import { handleRefundNotice } from '../domain/usecases/refund-follow';
import { handleVirtualDelivery } from '../domain/usecases/virtual-delivery';
import { type Config, ConfigError } from './config';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The sealing key of stored session_keys: SESSION_KEY_SECRET (required in production), or locally a
 * key derived from the data folder, so a restarted `npm start` can still read what it stored.
 */
function sessionKeySealing(env: Env, production: boolean): Buffer {
  const raw = env.SESSION_KEY_SECRET?.trim();
  if (!raw) {
    if (production)
      throw new ConfigError([
        'SESSION_KEY_SECRET must be set with PAYMENT_PROVIDER=xpay in production (openssl rand -base64 32)',
      ]);
    return devSessionKeySecret(env.DATA_DIR ?? '.data');
  }
  const key = sessionKeySecret(raw);
  if (typeof key === 'string') throw new ConfigError([key]);
  return key;
}

/**
 * PAYMENT_PROVIDER=xpay: the adapter over the shared WeChat API client, session_keys sealed at rest,
 * deliveries and refund results through the message push, and no daily statement (see README).
 */
export function xpayProvider(
  config: Config,
  env: Env,
  repos: { orders: Orders; refunds: Refunds; users: Users; sessionKeys: SessionKeys },
  api: WechatPost,
) {
  const production = config.env === 'production';
  const problems: string[] = [];
  const xpay = xpayConfigFromEnv(env, production);
  if (!xpay.ok) problems.push(...xpay.error);
  // Deliveries arrive only by message push; without it every order would wait for the sweeper.
  if (!config.wechatPlatform.push)
    problems.push(
      'PAYMENT_PROVIDER=xpay needs the message push: set WECHAT_PUSH_TOKEN (and WECHAT_PUSH_AES_KEY)',
    );
  if (!xpay.ok || problems.length > 0) throw new ConfigError(problems);
  return {
    payments: createXpayPayments(xpay.value, api, xpayLookup(repos)),
    sessionKeys: sealedSessionKeys(repos.sessionKeys, sessionKeySealing(env, production)),
    xpay: xpay.value,
  };
}

type Message = Readonly<Record<string, unknown>>;
type Outcome = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Each lookup is an indexed equality read (order number, refund number, user id). */
export function xpayLookup(repos: { orders: Orders; refunds: Refunds; users: Users }): XpayLookup {
  const openidOfOrderId = async (orderId: number) => {
    const order = await repos.orders.findById(orderId);
    return order ? ((await repos.users.findById(order.userId))?.openid ?? null) : null;
  };
  return {
    async openidOfOrder(outTradeNo) {
      const order = await repos.orders.findByOrderNo(outTradeNo);
      return order ? ((await repos.users.findById(order.userId))?.openid ?? null) : null;
    },
    async openidOfRefund(outRefundNo) {
      const attempt = await repos.refunds.findByOutRefundNo(outRefundNo);
      return attempt ? openidOfOrderId(attempt.orderId) : null;
    },
  };
}

/**
 * `xpay_goods_deliver_notify` and `xpay_refund_notify`, as message-push handlers. Both end in the use
 * cases every provider's notifications use; `ok: false` makes the endpoint ask WeChat to deliver again.
 */
export function xpayPushHandlers(deps: Deps, config: XpayConfig) {
  const deliver = handleVirtualDelivery(deps);
  const refund = handleRefundNotice(deps);
  const refuse = (event: string, reason: string): Outcome => {
    deps.log('xpay.push_rejected', { event, reason });
    return { ok: false, reason };
  };
  return new Map<string, (m: Message) => Promise<Outcome>>([
    [
      'xpay_goods_deliver_notify',
      async (m) => {
        const d = readDelivery(m, config);
        if (!d.ok) return refuse('xpay_goods_deliver_notify', d.error);
        const r = await deliver(d.value);
        return r.ok ? { ok: true } : refuse('xpay_goods_deliver_notify', r.error.kind);
      },
    ],
    [
      'xpay_refund_notify',
      async (m) => {
        const n = readRefundNotice(m);
        if (!n.ok) return refuse('xpay_refund_notify', n.error);
        const r = await refund(n.value);
        return r.ok ? { ok: true } : refuse('xpay_refund_notify', r.error.kind);
      },
    ],
  ]);
}
