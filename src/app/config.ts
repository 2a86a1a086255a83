import type { TimelineSettings } from '../domain/usecases/deps';
import { type AbuseConfig, loadAbuseConfig } from './config-limits';
import { loadWechatPlatformConfig, type WechatPlatformConfig } from './config-wechat';

/**
 * Every setting, read from the environment once at start. A wrong or missing value names the
 * variable and what is expected; production refuses the development secrets.
 */
export interface Config {
  readonly env: 'development' | 'test' | 'production';
  readonly port: number;
  readonly host: string;
  readonly mongodbUri: string;
  readonly timeZone: string;
  readonly publicBaseUrl: string;
  readonly orderExpireMinutes: number;
  /**
   * The reconciliation sweeper: how often it runs in each instance (0 = off), when it first looks at
   * a new order, how many provider calls per minute all instances may make together, and how many
   * orders one instance works on at once.
   */
  readonly sweeper: {
    readonly intervalMs: number;
    readonly firstCheckAfterMs: number;
    readonly callsPerMinute: number;
    readonly parallelism: number;
    readonly maxChecks: number;
  };
  /** How long each instance may serve the public catalog from memory; 0 turns the cache off. */
  readonly catalogCacheSeconds: number;
  /** A full garbage collection once no request finished for this long after some did (0 = never). */
  readonly idleGcMs: number;
  /** The order timeline's payment events: days kept, and bytes of a received callback body kept. */
  readonly timeline: TimelineSettings;
  readonly jwt: {
    readonly secret: string;
    readonly issuer: string;
    readonly audience: string;
    readonly expiresIn: number;
  };
  readonly wechat: {
    readonly appid: string;
    readonly secret: string;
    readonly apiBase: string;
    readonly timeoutMs: number;
  };
  readonly paymentProvider: 'gateway' | 'wechatpay' | 'xpay';
  readonly gateway: {
    readonly url: string;
    readonly callbackSecrets: readonly string[];
    readonly timeoutMs: number;
  };
  /** Openids made `admin` when they log in (ADMIN_OPENIDS, comma-separated). */
  readonly adminOpenids: readonly string[];
  /**
   * Daily statement reconciliation: from this Beijing hour on, each instance looks every
   * `checkIntervalMs` whether yesterday's report exists and runs it if not (0 = off).
   */
  readonly statement: { readonly hour: number; readonly checkIntervalMs: number };
  /** Lowest level written (LOG_LEVEL). */
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  /** METRICS_TOKEN: bearer token for `/metrics`; absent → open in development/test, 404 in production. */
  readonly metricsToken?: string;
  /** Test-only fault switch for tests/e2e/crash.test.ts; refused in production. */
  readonly faultCrashAfterSettlement: boolean;
  /** Rate limits, order caps, sessions, proxies, docs, deadlines (config-limits.ts). */
  readonly abuse: AbuseConfig;
  /** The operator console: hours a session lasts from login (ADMIN_SESSION_HOURS). */
  readonly console: { readonly sessionHours: number };
  /** Message push, the shared access_token, shipping uploads (config-wechat.ts). */
  readonly wechatPlatform: WechatPlatformConfig;
  readonly alerts: AlertConfig;
}

/** Alerts (app/alerts.ts): where they go and what the periodic look watches for. */
export interface AlertConfig {
  /** ALERT_WEBHOOK_URL: contains the robot's key — a secret, never logged or echoed. Absent = record and log only. */
  readonly webhookUrl?: string;
  readonly format: 'wecom' | 'json';
  /** Messages per minute to the webhook, all instances together (a WeCom robot takes 20). */
  readonly perMinute: number;
  /** How often each instance delivers, retries and watches (0 = off; raising still delivers at once). */
  readonly intervalMs: number;
  readonly paidNotCompletedMinutes: number;
  readonly reviewQueueThreshold: number;
  /** Beijing hour of the daily integrity audit; null = off. */
  readonly auditHour: number | null;
  /** ALERT_RETENTION_DAYS: alerts and their delivery records older than this are deleted by housekeeping. */
  readonly retentionDays: number;
}

export const DEV_JWT_SECRET = 'dev-only-jwt-secret-change-me-in-production';
export const DEV_GATEWAY_SECRET = 'dev-gateway-callback-secret';
export const DEV_WECHAT_SECRET = 'dev-wechat-app-secret';
export const SANDBOX_APPID = 'wxd0000000sandbox';

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** The webhook URL holds a key: problems name the variable, never the value. */
function alertWebhook(env: Env, prod: boolean, problems: string[]): { webhookUrl?: string } {
  const v = env.ALERT_WEBHOOK_URL?.trim();
  if (!v) return {};
  if (!URL.canParse(v) || !/^https?:\/\//.test(v)) problems.push('ALERT_WEBHOOK_URL must be an http(s) URL');
  else if (prod && !v.startsWith('https://'))
    problems.push('ALERT_WEBHOOK_URL must be https:// in production');
  return { webhookUrl: v };
}

export function loadConfig(env: Env): Config {
  const problems: string[] = [];
  const str = (name: string, fallback: string) => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? fallback : v;
  };
  const int = (name: string, fallback: number, min: number, max: number) => {
    const raw = str(name, String(fallback));
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return n;
  };
  const oneOf = <T extends string>(name: string, fallback: T, allowed: readonly T[]): T => {
    const v = str(name, fallback);
    if (!allowed.includes(v as T)) problems.push(`${name} must be one of ${allowed.join(', ')}, got "${v}"`);
    return v as T;
  };
  const url = (name: string, fallback: string) => {
    const v = str(name, fallback).replace(/\/+$/, '');
    if (!URL.canParse(v) || !/^https?:/.test(v)) problems.push(`${name} must be an http(s) URL, got "${v}"`);
    return v;
  };

  const nodeEnv = oneOf('NODE_ENV', 'development', ['development', 'test', 'production'] as const);
  const prod = nodeEnv === 'production';
  const port = int('PORT', 8000, 0, 65535);
  const timeZone = str('TZ', 'Asia/Shanghai');
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    problems.push(`TZ must be an IANA time zone such as Asia/Shanghai, got "${timeZone}"`);
  }
  const secret = (name: string, dev: string, minLength: number) => {
    const v = str(name, prod ? '' : dev);
    if (prod && (v === '' || v === dev))
      problems.push(`${name} must be set to a secret of your own in production`);
    else if (v.length < minLength) problems.push(`${name} must be at least ${minLength} characters`);
    return v;
  };
  const provider = oneOf('PAYMENT_PROVIDER', 'gateway', ['gateway', 'wechatpay', 'xpay'] as const);
  /**
   * Each rotated secret is checked on its own: a strong new secret must not smuggle in the public
   * development one (or a short one) behind a comma. Only the gateway provider needs them at all.
   */
  const gatewaySecrets = () => {
    const list = str('GATEWAY_CALLBACK_SECRET', prod ? '' : DEV_GATEWAY_SECRET)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (prod && provider === 'gateway' && list.length === 0)
      problems.push('GATEWAY_CALLBACK_SECRET must be set to a secret of your own in production');
    for (const s of list) {
      if (prod && s === DEV_GATEWAY_SECRET)
        problems.push('GATEWAY_CALLBACK_SECRET must be set to a secret of your own in production');
      else if (s.length < 16)
        problems.push('GATEWAY_CALLBACK_SECRET: every secret must be at least 16 characters');
    }
    return list;
  };
  const sandbox = 'http://localhost:8081';
  const config: Config = {
    env: nodeEnv,
    port,
    host: str('HOST', '0.0.0.0'),
    mongodbUri: str('MONGODB_URI', 'mongodb://127.0.0.1:27017/credits_store'),
    timeZone,
    publicBaseUrl: url('PUBLIC_BASE_URL', `http://localhost:${port}`),
    orderExpireMinutes: int('ORDER_EXPIRE_MINUTES', 30, 1, 7 * 24 * 60),
    catalogCacheSeconds: int('CATALOG_CACHE_SECONDS', 5, 0, 3600),
    idleGcMs: int('IDLE_GC_SECONDS', 1, 0, 3600) * 1000,
    timeline: {
      retentionDays: int('TIMELINE_RETENTION_DAYS', 180, 1, 3650),
      bodyMaxBytes: int('TIMELINE_BODY_MAX_BYTES', 8192, 256, 1024 * 1024),
      unverifiedPerMinute: int('TIMELINE_UNVERIFIED_PER_MINUTE', 60, 0, 100_000),
    },
    sweeper: {
      intervalMs: int('RECONCILE_INTERVAL_SECONDS', 60, 0, 24 * 3600) * 1000,
      firstCheckAfterMs: int('RECONCILE_AFTER_SECONDS', 60, 0, 24 * 3600) * 1000,
      callsPerMinute: int('RECONCILE_CALLS_PER_MINUTE', 120, 1, 100_000),
      parallelism: int('RECONCILE_PARALLELISM', 4, 1, 64),
      maxChecks: int('RECONCILE_MAX_CHECKS', 2000, 10, 100_000),
    },
    jwt: {
      secret: secret('JWT_SECRET', DEV_JWT_SECRET, 32),
      issuer: str('JWT_ISSUER', 'wx-credits-store'),
      audience: str('JWT_AUDIENCE', 'wx-miniprogram'),
      expiresIn: int('JWT_EXPIRES_SECONDS', 7 * 24 * 3600, 60, 90 * 24 * 3600),
    },
    wechat: {
      appid: str('WECHAT_APPID', prod ? '' : SANDBOX_APPID),
      secret: secret('WECHAT_SECRET', DEV_WECHAT_SECRET, 8),
      apiBase: url('WECHAT_API_BASE', prod ? 'https://api.weixin.qq.com' : sandbox),
      timeoutMs: int('WECHAT_TIMEOUT_MS', 5000, 100, 60_000),
    },
    paymentProvider: provider,
    gateway: {
      url: url('GATEWAY_URL', sandbox),
      callbackSecrets: gatewaySecrets(),
      timeoutMs: int('GATEWAY_TIMEOUT_MS', 5000, 100, 60_000),
    },
    adminOpenids: str('ADMIN_OPENIDS', '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    faultCrashAfterSettlement: str('FAULT_CRASH_AFTER_SETTLEMENT', '') === '1',
    statement: {
      hour: int('STATEMENT_HOUR', 10, 0, 23),
      checkIntervalMs: int('STATEMENT_CHECK_SECONDS', 600, 0, 24 * 3600) * 1000,
    },
    logLevel: oneOf('LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const),
    ...(str('METRICS_TOKEN', '') ? { metricsToken: str('METRICS_TOKEN', '') } : {}),
    abuse: loadAbuseConfig(env, prod, problems),
    console: { sessionHours: int('ADMIN_SESSION_HOURS', 12, 1, 168) },
    wechatPlatform: loadWechatPlatformConfig(env, prod, problems),
    alerts: {
      ...alertWebhook(env, prod, problems),
      format: oneOf('ALERT_WEBHOOK_FORMAT', 'wecom', ['wecom', 'json'] as const),
      perMinute: 20,
      intervalMs: int('ALERT_CHECK_SECONDS', 60, 0, 3600) * 1000,
      paidNotCompletedMinutes: int('ALERT_PAID_NOT_COMPLETED_MINUTES', 10, 1, 7 * 24 * 60),
      reviewQueueThreshold: int('ALERT_REVIEW_QUEUE_THRESHOLD', 10, 0, 100_000),
      auditHour: str('AUDIT_HOUR', '4') === 'off' ? null : int('AUDIT_HOUR', 4, 0, 23),
      retentionDays: int('ALERT_RETENTION_DAYS', 90, 1, 3650),
    },
  };
  if (config.metricsToken !== undefined && config.metricsToken.length < 16)
    problems.push('METRICS_TOKEN must be at least 16 characters');
  // The notify URL is built from it, and WeChat Pay (and any real gateway) calls only HTTPS.
  if (prod && !config.publicBaseUrl.startsWith('https://'))
    problems.push(
      `PUBLIC_BASE_URL must be the public https:// origin in production, got "${config.publicBaseUrl}"`,
    );
  if (!/^mongodb(\+srv)?:\/\//.test(config.mongodbUri))
    problems.push('MONGODB_URI must start with mongodb:// or mongodb+srv://');
  if (!/^wx[0-9a-zA-Z]{1,30}$/.test(config.wechat.appid))
    problems.push('WECHAT_APPID must be a mini-program appid such as wx1234567890abcdef');
  for (const openid of config.adminOpenids)
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(openid))
      problems.push(`ADMIN_OPENIDS must be comma-separated openids, got "${openid}"`);
  if (prod && config.faultCrashAfterSettlement)
    problems.push('FAULT_CRASH_AFTER_SETTLEMENT is a test switch and is refused in production');
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
