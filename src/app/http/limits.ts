import { Elysia } from 'elysia';
import type { RateWindows } from '../../domain/ports';
import { secondsLeft } from '../../domain/window';
import { ClientAddresses, limitKeyOf, type SocketInfo } from './client-ip';
import { JSON_TYPE } from './headers';

/** The routes that share one set of limits. */
export const ROUTE_CLASSES = ['login', 'session', 'create', 'pay', 'status', 'consume', 'admin'] as const;
export type RouteClass = (typeof ROUTE_CLASSES)[number];

/** `count` uses per fixed window of `windowSeconds`. */
export interface LimitSpec {
  readonly count: number;
  readonly windowSeconds: number;
}

/** A class's limits per client address and per user (every spec applies). */
export interface ClassLimits {
  readonly ip: readonly LimitSpec[];
  readonly user: readonly LimitSpec[];
}

export interface HttpLimits {
  /** Off: no rate limit at all (benchmarks; an emergency switch). */
  readonly enabled: boolean;
  readonly classes: Readonly<Record<RouteClass, ClassLimits>>;
  /** Failed logins (a code WeChat refused, or one used before) per client address; then 429. */
  readonly loginFailures: readonly LimitSpec[];
}

export interface LimitsDeps {
  readonly rateWindows: RateWindows;
  readonly clock: { now(): Date };
  readonly limits: HttpLimits;
  readonly trustedProxies: readonly string[];
}

export const TOO_MANY = '请求过于频繁，请稍后再试';
export const LOGIN_BACKOFF = '登录失败次数过多，请稍后再试';

/** A 429 whose Retry-After says when the refusing window ends. */
export const tooMany = (detail: string, retryAfter: number) =>
  new Response(JSON.stringify({ detail }), {
    status: 429,
    headers: { 'content-type': JSON_TYPE, 'retry-after': String(retryAfter) },
  });

/**
 * The limiter: each use of a limited route takes a slot in every window that applies (the client's
 * address, then the user), shared by every instance through `RateWindows`. Refused → the seconds
 * until the refusing window ends.
 */
export function limiter(deps: LimitsDeps) {
  const addresses = new ClientAddresses(deps.trustedProxies);
  const { limits, rateWindows } = deps;
  const take = async (key: string, specs: readonly LimitSpec[], now: Date): Promise<number | null> => {
    for (const s of specs)
      if (!(await rateWindows.take(key, s.count, s.windowSeconds, now)))
        return secondsLeft(now, s.windowSeconds);
    return null;
  };
  const failureKey = (address: string) => `login-fail:${limitKeyOf(address)}`;
  return {
    addresses,
    /** Seconds to wait, or null when the use is allowed (and counted). */
    async check(cls: RouteClass, address: string, userId: number | undefined): Promise<number | null> {
      if (!limits.enabled) return null;
      const now = deps.clock.now();
      const { ip, user } = limits.classes[cls];
      const byAddress = await take(`${cls}:ip:${limitKeyOf(address)}`, ip, now);
      if (byAddress !== null || userId === undefined) return byAddress;
      return take(`${cls}:user:${userId}`, user, now);
    },
    /** Seconds this address must wait after too many failed logins, or null. */
    async loginBlocked(address: string): Promise<number | null> {
      if (!limits.enabled) return null;
      const now = deps.clock.now();
      for (const s of limits.loginFailures)
        if (await rateWindows.exhausted(failureKey(address), s.count, s.windowSeconds, now))
          return secondsLeft(now, s.windowSeconds);
      return null;
    },
    async noteLoginFailure(address: string): Promise<void> {
      if (!limits.enabled) return;
      const now = deps.clock.now();
      for (const s of limits.loginFailures)
        await rateWindows.take(failureKey(address), s.count, s.windowSeconds, now);
    },
  };
}

export type Limiter = ReturnType<typeof limiter>;

/**
 * `limit: '<class>'` on a route. Runs after `auth` has resolved the user (resolve precedes
 * beforeHandle), so per-user limits see who asks; an unauthenticated caller is refused by auth first,
 * at the cost of a signature check and no database work. Login also waits out its failure back-off.
 */
export const rateLimits = (limits: Limiter) =>
  new Elysia({ name: 'rate-limits' }).macro({
    limit: (cls: RouteClass) => ({
      async beforeHandle({
        request,
        server,
        user,
      }: {
        request: Request;
        server: SocketInfo | null;
        user?: { id: number };
      }) {
        const address = limits.addresses.of(request, server);
        if (cls === 'login') {
          const blocked = await limits.loginBlocked(address);
          if (blocked !== null) return tooMany(LOGIN_BACKOFF, blocked);
        }
        const wait = await limits.check(cls, address, user?.id);
        if (wait !== null) return tooMany(TOO_MANY, wait);
      },
    }),
  });
