// Wires createApp's dependencies for HTTP tests: memory storage, the real gateway and WeChat adapters
// pointed at whatever server the test starts (usually the sandbox), and a log the test can read.

import { memoryRepositories } from '../../src/adapters/memory';
import { createGatewayNotifications } from '../../src/adapters/payment/gateway/notifications';
import { createGatewayPayments } from '../../src/adapters/payment/gateway/payments';
import { createGatewayStatements } from '../../src/adapters/payment/gateway/statements';
import { systemClock } from '../../src/adapters/system/clock';
import { argon2Hasher } from '../../src/adapters/system/password';
import { cryptoRandom } from '../../src/adapters/system/random';
import { createJscode2Session } from '../../src/adapters/wechat/jscode2session';
import { alertService } from '../../src/app/alerts';
import { type AbuseConfig, loadAbuseConfig } from '../../src/app/config-limits';
import type { AppDeps } from '../../src/app/http/context';
import { presenter } from '../../src/app/http/present';
import type { Clock } from '../../src/domain/ports';
import { seedDemoProducts } from '../../src/domain/usecases/catalog';
import { journaledPayments } from '../../src/domain/usecases/payment-journal';
import { CALLBACK_SECRET, SANDBOX_APPID } from '../sandbox/harness';

export const TEST_JWT = {
  secret: 'test-jwt-secret-at-least-32-characters-long',
  issuer: 'wx-credits-store',
  audience: 'wx-miniprogram',
  expiresIn: 3600,
  accessSeconds: 300,
  refreshSeconds: 86_400,
} as const;
export const TEST_WECHAT_SECRET = 'app-secret';
/** Small argon2id costs: the tests log in hundreds of times; real hashes use Bun's defaults. */
export const testHasher = argon2Hasher({ memoryCost: 1024, timeCost: 1 });
export { CALLBACK_SECRET, SANDBOX_APPID };

export interface LogLine {
  event: string;
  fields: Record<string, unknown>;
}

/**
 * Without `abuseEnv` every abuse limit is off (these tests are about other things); with it, the
 * limits are read from it exactly as in production (config-limits.ts), defaults for what it omits.
 */
function abuseSettings(env: Record<string, string> | undefined): AbuseConfig {
  const problems: string[] = [];
  const config = loadAbuseConfig(env ?? { RATE_LIMITS: 'off' }, false, problems);
  if (problems.length > 0) throw new Error(problems.join('; '));
  if (env) return config;
  const off = {
    pendingOrdersPerUser: 0,
    dailySpendCapFen: 0,
    reusePendingOrders: false,
    statusQuerySeconds: 0,
  };
  return { ...config, orders: off, requestTimeoutMs: 0 };
}

export function testDeps(opts: {
  gatewayUrl: string;
  wechatApiBase: string;
  clock?: Clock;
  adminOpenids?: readonly string[];
  abuseEnv?: Record<string, string>;
}): {
  deps: AppDeps;
  logs: LogLine[];
} {
  const clock = opts.clock ?? systemClock;
  const logs: LogLine[] = [];
  let requestSeq = 0;
  const repos = memoryRepositories();
  const abuse = abuseSettings(opts.abuseEnv);
  const log = (event: string, fields: Record<string, unknown>) => void logs.push({ event, fields });
  const settings: AppDeps['settings'] = {
    timeZone: 'Asia/Shanghai',
    orderExpireMinutes: 30,
    notifyUrl: 'http://127.0.0.1:9/api/orders/callback',
    adminOpenids: opts.adminOpenids ?? [],
    limits: abuse.orders,
  };
  const deps: AppDeps = {
    ...repos,
    // Uncached, so a test that edits a product sees the change on the next request.
    catalog: repos.products,
    // Recorded for the order timeline, as the composition root does.
    payments: journaledPayments(createGatewayPayments({ baseUrl: opts.gatewayUrl, timeoutMs: 2000 }), {
      ...repos,
      clock,
      random: cryptoRandom,
      settings,
      log,
    }),
    wechatLogin: createJscode2Session({
      baseUrl: opts.wechatApiBase,
      appid: SANDBOX_APPID,
      secret: TEST_WECHAT_SECRET,
      timeoutMs: 2000,
    }),
    clock,
    random: cryptoRandom,
    settings,
    log,
    // Recorded and listed (no webhook): GET /api/admin/alerts shows what the routes raised.
    alerts: alertService(
      { alertOutbox: repos.alertOutbox, rateWindows: repos.rateWindows, clock, log },
      { perMinute: 20 },
    ),
    present: presenter('Asia/Shanghai'),
    jwt: TEST_JWT,
    gatewayNotifications: createGatewayNotifications({ secrets: [CALLBACK_SECRET], clock }),
    statements: createGatewayStatements({ baseUrl: opts.gatewayUrl, timeoutMs: 2000 }),
    pushHandlers: new Map(),
    dbReady: async () => true,
    newRequestId: () => `req-${++requestSeq}`,
    http: {
      limits: abuse.limits,
      trustedProxies: abuse.trustedProxies,
      docs: abuse.docs,
      requestTimeoutMs: abuse.requestTimeoutMs,
      https: false,
    },
    passwordHasher: testHasher,
    console: {
      sessionHours: 12,
      secureCookie: false,
      csrfKey: 'test-console-csrf-key',
      origins: [],
    },
  };
  return { deps, logs };
}

/** Loads the seed document's two packages (ids 1 and 2); returns how many were new. */
export function seeded(deps: AppDeps): Promise<number> {
  return seedDemoProducts(deps)();
}
