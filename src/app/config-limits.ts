import { yuanToFen } from '../domain/money';
import type { OrderLimits } from '../domain/usecases/deps';
import { proxyEntryProblem } from './http/client-ip';
import type { ClassLimits, HttpLimits, LimitSpec, RouteClass } from './http/limits';

type Env = Readonly<Record<string, string | undefined>>;

/** Every limit's variable and default: one place, and the README's table says the same. */
export const CLASS_LIMIT_VARIABLES: Readonly<Record<RouteClass, readonly [string, string]>> = {
  login: ['RATE_LIMIT_LOGIN', 'ip:60/1m'],
  session: ['RATE_LIMIT_SESSION', 'ip:60/1m,user:20/1m'],
  create: ['RATE_LIMIT_CREATE_ORDER', 'ip:60/1m,user:10/1m'],
  pay: ['RATE_LIMIT_PAY', 'ip:60/1m,user:20/1m'],
  status: ['RATE_LIMIT_PAYMENT_STATUS', 'ip:300/1m,user:120/1m'],
  consume: ['RATE_LIMIT_CONSUME', 'ip:120/1m,user:60/1m'],
  admin: ['RATE_LIMIT_ADMIN', 'ip:600/1m,user:300/1m'],
};

export interface AbuseConfig {
  readonly limits: HttpLimits;
  readonly orders: Required<OrderLimits>;
  /** IPs and CIDR ranges of the reverse proxies whose X-Forwarded-For / X-Request-Id we believe. */
  readonly trustedProxies: readonly string[];
  /** Swagger UI and /swagger/json served at all. */
  readonly docs: boolean;
  /** A request still running after this long is answered 503 (0 = no deadline). */
  readonly requestTimeoutMs: number;
  /** Tokens of the refresh flow: the short access token and the session (refresh token) lifetime. */
  readonly accessSeconds: number;
  readonly refreshSeconds: number;
}

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** `10/15m` → 10 per 15 minutes; a bare unit means one (`60/m`); windows from 1 s to 1 day. */
function parseSpec(text: string): LimitSpec | null {
  const m = /^(\d{1,7})\/(\d{0,5})([smhd])$/.exec(text.trim());
  if (!m) return null;
  const windowSeconds = Number(m[2] || '1') * UNIT_SECONDS[m[3] as keyof typeof UNIT_SECONDS];
  const count = Number(m[1]);
  return count >= 1 && windowSeconds >= 1 && windowSeconds <= 86_400 ? { count, windowSeconds } : null;
}

/** The abuse settings; each problem names its variable and what is expected. */
export function loadAbuseConfig(env: Env, prod: boolean, problems: string[]): AbuseConfig {
  const str = (name: string, fallback: string) => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? fallback : v;
  };
  const onOff = (name: string, fallback: boolean) => {
    const v = str(name, fallback ? 'on' : 'off');
    if (!['on', 'off'].includes(v)) problems.push(`${name} must be on or off, got "${v}"`);
    return v === 'on';
  };
  const int = (name: string, fallback: number, min: number, max: number) => {
    const raw = str(name, String(fallback));
    const n = Number(raw);
    if (/^\d+$/.test(raw) && n >= min && n <= max) return n;
    problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
    return fallback;
  };
  const specs = (name: string, fallback: string): LimitSpec[] =>
    str(name, fallback)
      .split(',')
      .flatMap((part) => {
        const spec = parseSpec(part);
        if (!spec)
          problems.push(`${name}: "${part}" is not <count>/<window> such as 10/15m (s, m, h, d; ≤ 1d)`);
        return spec ? [spec] : [];
      });
  const classLimits = (name: string, fallback: string): ClassLimits => {
    const raw = str(name, fallback);
    const out = { ip: [] as LimitSpec[], user: [] as LimitSpec[] };
    if (raw === 'off') return out;
    for (const part of raw.split(',')) {
      const m = /^(ip|user):(.+)$/.exec(part.trim());
      const spec = m?.[2] ? parseSpec(m[2]) : null;
      if (!m || !spec) {
        problems.push(
          `${name}: "${part}" is not ip:<count>/<window> or user:<count>/<window> (e.g. ip:60/1m)`,
        );
        continue;
      }
      out[m[1] as 'ip' | 'user'].push(spec);
    }
    return out;
  };

  const classes = Object.fromEntries(
    Object.entries(CLASS_LIMIT_VARIABLES).map(([cls, [name, fallback]]) => [
      cls,
      classLimits(name, fallback),
    ]),
  ) as Record<RouteClass, ClassLimits>;
  const capYuan = str('DAILY_PURCHASE_LIMIT_YUAN', '0');
  const capFen = /^\d{1,9}(\.\d{1,2})?$/.test(capYuan) ? yuanToFen(Number(capYuan)) : undefined;
  if (capFen === undefined)
    problems.push(
      `DAILY_PURCHASE_LIMIT_YUAN must be an amount in yuan such as 500 or 99.9 (0 = off), got "${capYuan}"`,
    );
  const trustedProxies = str('TRUSTED_PROXIES', '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const entry of trustedProxies) {
    const problem = proxyEntryProblem(entry);
    if (problem) problems.push(`TRUSTED_PROXIES: ${problem}`);
  }
  return {
    limits: {
      enabled: onOff('RATE_LIMITS', true),
      classes,
      loginFailures: specs('LOGIN_FAILURES_PER_IP', '10/15m,50/1d'),
    },
    orders: {
      pendingOrdersPerUser: int('PENDING_ORDERS_PER_USER', 5, 0, 1000),
      dailySpendCapFen: capFen ?? 0,
      reusePendingOrders: onOff('REUSE_PENDING_ORDERS', true),
      statusQuerySeconds: int('PAYMENT_STATUS_QUERY_SECONDS', 2, 0, 3600),
    },
    trustedProxies,
    docs: onOff('SWAGGER', !prod),
    requestTimeoutMs: int('REQUEST_TIMEOUT_SECONDS', 15, 0, 600) * 1000,
    accessSeconds: int('JWT_ACCESS_SECONDS', 900, 60, 24 * 3600),
    refreshSeconds: int('JWT_REFRESH_SECONDS', 30 * 24 * 3600, 3600, 365 * 24 * 3600),
  };
}
