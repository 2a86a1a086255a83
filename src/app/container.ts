import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Connection } from 'mongoose';
import { createWebhookChannel } from '../adapters/alerts/webhook';
import { CachedProducts } from '../adapters/cache/products';
import { ensureIndexes, mongoRepositories } from '../adapters/mongo';
import { createGatewayNotifications } from '../adapters/payment/gateway/notifications';
import { createGatewayPayments } from '../adapters/payment/gateway/payments';
import { createGatewayStatements } from '../adapters/payment/gateway/statements';
import { createWechatPay, wechatPayConfigFromEnv } from '../adapters/payment/wechatpay';
import { systemClock } from '../adapters/system/clock';
import { argon2Hasher } from '../adapters/system/password';
import { cryptoRandom } from '../adapters/system/random';
import { createAccessTokens } from '../adapters/wechat/access-token';
import { createWechatApi } from '../adapters/wechat/api';
import { createJscode2Session } from '../adapters/wechat/jscode2session';
import { createPushVerifier } from '../adapters/wechat/push';
import { createShippingInfo } from '../adapters/wechat/shipping';
import { operatorActionsSource } from '../domain/operators/timeline-source';
import type { PaymentNotifications, Payments } from '../domain/payment';
import type { Settlements } from '../domain/ports';
import type { PushHandler } from '../domain/push';
import { reviewOpenedAlerts } from '../domain/usecases/alert-watch';
import { seedDemoProducts } from '../domain/usecases/catalog';
import { journaledPayments } from '../domain/usecases/payment-journal';
import { alertingReviews, alertService } from './alerts';
import { type Config, ConfigError } from './config';
import { deferredPaymentEvents } from './deferred-events';
import type { AppDeps } from './http/context';
import { createApp } from './http/create-app';
import { presenter } from './http/present';
import { createLogger } from './logger';
import { countEvents, countShipping, instrument } from './metrics/instrument';
import { createMetrics } from './metrics/registry';
import { probeReachable } from './probe';
import { xpayProvider, xpayPushHandlers } from './xpay';

type Env = Readonly<Record<string, string | undefined>>;

/** The test-only crash switch: SIGKILL right after the settlement is written, before the grant. */
function crashAfterSettlement(settlements: Settlements): Settlements {
  return {
    find: (orderId) => settlements.find(orderId),
    inHour: (hour) => settlements.inHour(hour),
    scan: () => settlements.scan(),
    claimPayment: (claim) => settlements.claimPayment(claim),
    paymentClaim: (paymentId) => settlements.paymentClaim(paymentId),
    async record(s) {
      const result = await settlements.record(s);
      if (result.created) process.kill(process.pid, 'SIGKILL');
      return result;
    },
  };
}

function paymentProvider(config: Config, env: Env) {
  const clock = systemClock;
  if (config.paymentProvider === 'gateway') {
    return {
      payments: createGatewayPayments({
        baseUrl: config.gateway.url,
        timeoutMs: config.gateway.timeoutMs,
      }) as Payments,
      notifyPath: '/api/orders/callback',
      refundNotifyPath: '/api/orders/callback/refund',
      wechatpayNotifications: undefined as PaymentNotifications | undefined,
      baseUrl: config.gateway.url,
      statements: createGatewayStatements({
        baseUrl: config.gateway.url,
        timeoutMs: config.gateway.timeoutMs,
      }),
    };
  }
  const wechatpay = wechatPayConfigFromEnv(env, (path) => readFileSync(path, 'utf8'));
  if (!wechatpay.ok) throw new ConfigError(wechatpay.error);
  if (config.env === 'production' && !wechatpay.value.baseUrl.startsWith('https://')) {
    throw new ConfigError(['WECHATPAY_BASE_URL must be https:// in production']);
  }
  const { payments, notifications, statements } = createWechatPay(wechatpay.value, {
    clock,
    random: cryptoRandom,
  });
  return {
    payments,
    notifyPath: '/api/orders/notify/wechatpay',
    refundNotifyPath: '/api/orders/notify/wechatpay/refund',
    wechatpayNotifications: notifications,
    baseUrl: wechatpay.value.baseUrl,
    statements,
  };
}

/** 发货信息管理 governs WeChat Pay orders (brief §2): the providers that are WeChat Pay underneath. */
const SHIPPING_PROVIDERS: readonly string[] = ['gateway', 'wechatpay'];
const shippingUpload = (config: Config) =>
  config.wechatPlatform.shipping.enabled && SHIPPING_PROVIDERS.includes(config.paymentProvider);

/**
 * What every WeChat server API adapter shares: one access_token per appid for all instances (in the
 * database), the API client with the token-retry rule, and the message-push security.
 */
function wechatPlatform(
  config: Config,
  repos: Pick<ReturnType<typeof mongoRepositories>, 'accessTokenStore' | 'rateWindows'>,
  log: (event: string, fields: Record<string, unknown>) => void,
) {
  const { apiBase, appid, secret, timeoutMs } = config.wechat;
  const accessTokens = createAccessTokens({
    apiBase,
    appid,
    secret,
    timeoutMs,
    store: repos.accessTokenStore,
    rateWindows: repos.rateWindows,
    clock: systemClock,
    log,
    refreshAheadMs: config.wechatPlatform.tokenRefreshAheadMs,
  });
  const push = config.wechatPlatform.push;
  return {
    accessTokens,
    api: createWechatApi({ apiBase, tokens: accessTokens, timeoutMs }),
    tokenStore: repos.accessTokenStore,
    /** Whether any feature of this instance calls WeChat with the access_token. */
    usesToken: (deps: { readonly shipping?: unknown }) => deps.shipping !== undefined,
    push: push
      ? createPushVerifier({
          token: push.token,
          appid,
          ...(push.encodingAesKey ? { encodingAesKey: push.encodingAesKey } : {}),
        })
      : undefined,
  };
}

/** xpay has no notify URL of its own: results come by message push; no daily statement (README). */
const XPAY_ROUTES = {
  notifyPath: '/api/wechat/push',
  refundNotifyPath: '/api/wechat/push',
  wechatpayNotifications: undefined,
  statements: undefined,
} as const;

/**
 * Request ids: a random prefix per process and a counter. Unique across instances without a UUID
 * per request (which was a measurable share of a cached catalog request).
 */
function requestIds(): () => string {
  const prefix = randomUUID().slice(0, 8);
  let n = 0;
  return () => `${prefix}-${(++n).toString(36)}`;
}

/** The composition root: the one place where adapters are chosen and wired into the use cases. */
export async function compose(config: Config, env: Env, conn: Connection) {
  const metrics = createMetrics({ defaultMetrics: true });
  const log = createLogger({ level: config.logLevel, observe: countEvents(metrics) });
  await ensureIndexes(conn);
  // The business counters hang off the ports here; the domain never sees them.
  const stored = mongoRepositories(conn, systemClock);
  // The timeline's inserts are written after the answer (deferred-events.ts).
  const paymentEvents = deferredPaymentEvents(stored.paymentEvents, log);
  const repos = { ...stored, paymentEvents };
  // Before the payment provider: WeChat's own payment APIs need the shared access_token.
  const wechat = wechatPlatform(config, repos, log);
  const xpay = config.paymentProvider === 'xpay' ? xpayProvider(config, env, repos, wechat.api) : undefined;
  const provider = xpay
    ? { ...XPAY_ROUTES, payments: xpay.payments as Payments, baseUrl: config.wechat.apiBase }
    : paymentProvider(config, env);
  const counted = instrument({ ...repos, payments: provider.payments }, metrics);
  const settings: AppDeps['settings'] = {
    timeZone: config.timeZone,
    orderExpireMinutes: config.orderExpireMinutes,
    firstCheckAfterMs: config.sweeper.firstCheckAfterMs,
    notifyUrl: `${config.publicBaseUrl}${provider.notifyPath}`,
    refundNotifyUrl: `${config.publicBaseUrl}${provider.refundNotifyPath}`,
    adminOpenids: config.adminOpenids,
    limits: config.abuse.orders,
    timeline: config.timeline,
    virtualPayment: xpay !== undefined,
  };
  const pushHandlers = new Map<string, PushHandler>();
  const alerts = alertService(
    {
      alertOutbox: repos.alertOutbox,
      rateWindows: repos.rateWindows,
      clock: systemClock,
      log,
      ...(config.alerts.webhookUrl
        ? {
            alertChannel: createWebhookChannel({
              url: config.alerts.webhookUrl,
              format: config.alerts.format,
            }),
          }
        : {}),
    },
    { perMinute: config.alerts.perMinute },
    metrics,
  );
  const deps: AppDeps = {
    ...repos,
    ...counted,
    // Only xpay signs with the session_key, and only then is one stored (sealed).
    sessionKeys: xpay?.sessionKeys ?? repos.sessionKeys,
    // Every provider call, whichever provider, is recorded for the order timeline.
    payments: journaledPayments(counted.payments, {
      paymentEvents,
      refunds: counted.refunds,
      orders: counted.orders,
      clock: systemClock,
      random: cryptoRandom,
      settings,
      log,
    }),
    catalog:
      config.catalogCacheSeconds > 0
        ? new CachedProducts(repos.products, systemClock, config.catalogCacheSeconds * 1000)
        : repos.products,
    settlements: config.faultCrashAfterSettlement
      ? crashAfterSettlement(repos.settlements)
      : repos.settlements,
    // The order timeline (console and GET /api/admin/orders/{id}/timeline) shows the operator actions.
    timelineSources: { operatorActions: operatorActionsSource(repos) },
    wechatLogin: createJscode2Session({
      baseUrl: config.wechat.apiBase,
      appid: config.wechat.appid,
      secret: config.wechat.secret,
      timeoutMs: config.wechat.timeoutMs,
    }),
    clock: systemClock,
    random: cryptoRandom,
    settings,
    log,
    alerts,
    reviews: alertingReviews(
      repos.reviews,
      reviewOpenedAlerts({ reviews: repos.reviews, alerts }, config.alerts.reviewQueueThreshold),
      log,
    ),
    present: presenter(config.timeZone),
    jwt: {
      ...config.jwt,
      accessSeconds: config.abuse.accessSeconds,
      refreshSeconds: config.abuse.refreshSeconds,
    },
    // With WeChat Pay direct there is no gateway: no second key may be able to mark orders paid.
    gatewayNotifications:
      config.paymentProvider === 'gateway'
        ? createGatewayNotifications({ secrets: config.gateway.callbackSecrets, clock: systemClock })
        : undefined,
    wechatpayNotifications: provider.wechatpayNotifications,
    ...(wechat.push ? { wechatPush: wechat.push } : {}),
    ...(shippingUpload(config)
      ? {
          shipping: {
            queue: repos.shippingQueue,
            shipments: repos.shipments,
            info: countShipping(
              createShippingInfo({
                api: wechat.api,
                ...(config.wechatPlatform.shipping.mchid
                  ? { mchid: config.wechatPlatform.shipping.mchid }
                  : {}),
              }),
              metrics,
            ),
          },
        }
      : {}),
    pushHandlers,
    dbReady: async () => {
      try {
        await conn.db?.admin().ping();
        return conn.readyState === 1;
      } catch {
        return false;
      }
    },
    providerReady: probeReachable(provider.baseUrl),
    statements: provider.statements,
    newRequestId: requestIds(),
    metrics: {
      metrics,
      ...(config.metricsToken ? { token: config.metricsToken } : {}),
      openWithoutToken: config.env !== 'production',
    },
    http: {
      limits: config.abuse.limits,
      trustedProxies: config.abuse.trustedProxies,
      docs: config.abuse.docs,
      requestTimeoutMs: config.abuse.requestTimeoutMs,
      https: config.publicBaseUrl.startsWith('https://'),
    },
    passwordHasher: argon2Hasher(),
    console: {
      sessionHours: config.console.sessionHours,
      secureCookie: config.env === 'production' || config.publicBaseUrl.startsWith('https://'),
      // A key of its own, derived from JWT_SECRET: one secret less to configure, none shared in use.
      csrfKey: createHmac('sha256', config.jwt.secret).update('operator-console-csrf').digest('base64url'),
      origins: [new URL(config.publicBaseUrl).origin],
    },
  };
  if (xpay) for (const [event, handle] of xpayPushHandlers(deps, xpay.xpay)) pushHandlers.set(event, handle);
  const seeded = await seedDemoProducts(deps)();
  if (seeded > 0) log('catalog.seeded', { products: seeded });
  return { app: createApp(deps), deps, metrics, wechat, alerts, drainTimeline: paymentEvents.drain };
}
