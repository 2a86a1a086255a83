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
import { createJscode2Session } from '../adapters/wechat/jscode2session';
import type { PaymentNotifications, Payments } from '../domain/payment';
import type { Settlements } from '../domain/ports';
import { reviewOpenedAlerts } from '../domain/usecases/alert-watch';
import { seedDemoProducts } from '../domain/usecases/catalog';
import { alertingReviews, alertService } from './alerts';
import { type Config, ConfigError } from './config';
import type { AppDeps } from './http/context';
import { createApp } from './http/create-app';
import { presenter } from './http/present';
import { createLogger } from './logger';
import { countEvents, instrument } from './metrics/instrument';
import { createMetrics } from './metrics/registry';
import { probeReachable } from './probe';

type Env = Readonly<Record<string, string | undefined>>;

/** The test-only crash switch: SIGKILL right after the settlement is written, before the grant. */
function crashAfterSettlement(settlements: Settlements): Settlements {
  return {
    find: (orderId) => settlements.find(orderId),
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
  const provider = paymentProvider(config, env);
  // The business counters hang off the ports here; the domain never sees them.
  const repos = { ...mongoRepositories(conn) };
  const counted = instrument({ ...repos, payments: provider.payments }, metrics);
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
    catalog:
      config.catalogCacheSeconds > 0
        ? new CachedProducts(repos.products, systemClock, config.catalogCacheSeconds * 1000)
        : repos.products,
    settlements: config.faultCrashAfterSettlement
      ? crashAfterSettlement(repos.settlements)
      : repos.settlements,
    wechatLogin: createJscode2Session({
      baseUrl: config.wechat.apiBase,
      appid: config.wechat.appid,
      secret: config.wechat.secret,
      timeoutMs: config.wechat.timeoutMs,
    }),
    clock: systemClock,
    random: cryptoRandom,
    settings: {
      timeZone: config.timeZone,
      orderExpireMinutes: config.orderExpireMinutes,
      firstCheckAfterMs: config.sweeper.firstCheckAfterMs,
      notifyUrl: `${config.publicBaseUrl}${provider.notifyPath}`,
      refundNotifyUrl: `${config.publicBaseUrl}${provider.refundNotifyPath}`,
      adminOpenids: config.adminOpenids,
      limits: config.abuse.orders,
    },
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
  const seeded = await seedDemoProducts(deps)();
  if (seeded > 0) log('catalog.seeded', { products: seeded });
  return { app: createApp(deps), deps, metrics, alerts };
}
