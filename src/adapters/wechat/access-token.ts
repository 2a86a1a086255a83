import type { AccessTokenStore, Clock, RateWindows, TokenGeneration } from '../../domain/ports';

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** The one access_token of our appid, shared by every instance through the database (brief §3). */
export interface AccessTokens {
  /** A token valid now: the shared one, or a new one fetched by exactly one instance. */
  get(): Promise<string>;
  /**
   * An API call said `failing` is invalid (40001/42001/40014). Only when it is still the shared
   * token is it marked, so a late report about an older token cannot discard a newer one.
   */
  invalidate(failing: string): Promise<void>;
}

export interface AccessTokenOptions {
  /** `https://api.weixin.qq.com` (WECHAT_API_BASE). */
  readonly apiBase: string;
  readonly appid: string;
  readonly secret: string;
  readonly timeoutMs: number;
  readonly store: AccessTokenStore;
  readonly clock: Clock;
  readonly log: (event: string, fields: Record<string, unknown>) => void;
  /** Shared counters for force_refresh (20 a day, 30 s apart); without them force_refresh is never used. */
  readonly rateWindows?: RateWindows;
  readonly fetch?: Fetch;
  /** Refresh when less than this is left (WeChat itself rotates 5 minutes early). */
  readonly refreshAheadMs?: number;
  /** How long one instance trusts its own copy before reading the shared one again. */
  readonly localTtlMs?: number;
  /** How long an instance waits for another's refresh when it has no valid token at all. */
  readonly waitMs?: number;
  /** Pause between looks while waiting. */
  readonly pollMs?: number;
}

export class AccessTokenError extends Error {
  constructor(
    message: string,
    readonly errcode?: number,
  ) {
    super(message);
    this.name = 'AccessTokenError';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const FORCE_PER_DAY = 20;
const FORCE_GAP_SECONDS = 30;

/**
 * `stable_token` (never `/cgi-bin/token`, whose every call revokes the previous token), cached in the
 * database. A generation is fetched by the one instance whose lease insert wins; the others keep the
 * still-valid token or wait for the new generation. `force_refresh` is used only when the normal call
 * hands back the very token that was reported invalid, within WeChat's 20-a-day, 30-s-apart limits.
 */
export function createAccessTokens(opts: AccessTokenOptions): AccessTokens {
  const fetchFn = opts.fetch ?? fetch;
  const refreshAheadMs = opts.refreshAheadMs ?? 5 * 60_000;
  const localTtlMs = opts.localTtlMs ?? 60_000;
  const pollMs = opts.pollMs ?? 100;
  const waitMs = opts.waitMs ?? Math.max(2 * opts.timeoutMs, 1000);
  let local: { generation: TokenGeneration; readAt: number } | undefined;
  /**
   * Counts invalidations. A look begun before one may have read the refused token as valid, so it
   * is neither joined by later callers nor allowed to keep its answer as this instance's copy.
   */
  let reports = 0;
  let inFlight: { readonly promise: Promise<string>; readonly reports: number } | undefined;

  const usable = (g: TokenGeneration, now: Date): boolean =>
    !g.invalid && g.expiresAt.getTime() - now.getTime() > refreshAheadMs;

  async function callStableToken(forceRefresh: boolean): Promise<{ token: string; expiresIn: number }> {
    const url = `${opts.apiBase.replace(/\/+$/, '')}/cgi-bin/stable_token`;
    const body = JSON.stringify({
      grant_type: 'client_credential',
      appid: opts.appid,
      secret: opts.secret,
      force_refresh: forceRefresh,
    });
    let res: Response;
    try {
      res = await fetchFn(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
    } catch (e) {
      const timedOut = e instanceof Error && e.name === 'TimeoutError';
      throw new AccessTokenError(timedOut ? 'stable_token timed out' : 'stable_token unreachable');
    }
    const text = await res.text();
    if (res.status !== 200) throw new AccessTokenError(`stable_token answered HTTP ${res.status}`);
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new AccessTokenError('stable_token answered non-JSON');
    }
    const { access_token: token, expires_in: expiresIn, errcode, errmsg } = parsed;
    if (typeof token === 'string' && token !== '' && typeof expiresIn === 'number' && expiresIn > 0)
      return { token, expiresIn };
    const code = typeof errcode === 'number' ? errcode : undefined;
    // 45009: the daily quota is gone — nothing works until tomorrow; an operator must know.
    opts.log(code === 45009 ? 'wechat.token_quota_exhausted' : 'wechat.token_error', {
      errcode: code,
      errmsg: typeof errmsg === 'string' ? errmsg.slice(0, 200) : undefined,
    });
    throw new AccessTokenError(`stable_token errcode ${String(errcode)}`, code);
  }

  /** force_refresh only within WeChat's limits, counted for all instances together. */
  async function mayForce(now: Date): Promise<boolean> {
    if (!opts.rateWindows) return false;
    const key = `wechat-force-refresh:${opts.appid}`;
    if (!(await opts.rateWindows.take(`${key}:gap`, 1, FORCE_GAP_SECONDS, now))) return false;
    return opts.rateWindows.take(key, FORCE_PER_DAY, 24 * 3600, now);
  }

  /** The lease holder's fetch of generation `next`. */
  async function fetchGeneration(current: TokenGeneration | null, next: number): Promise<TokenGeneration> {
    const fetchedAt = opts.clock.now();
    let answer = await callStableToken(false);
    if (current?.invalid && answer.token === current.token) {
      // WeChat still hands out the token a call refused: only a forced refresh replaces it.
      if (await mayForce(fetchedAt)) {
        opts.log('wechat.token_force_refresh', { generation: next });
        answer = await callStableToken(true);
      } else opts.log('wechat.token_force_refresh_refused', { generation: next });
    }
    const saved = await opts.store.save({
      appid: opts.appid,
      generation: next,
      token: answer.token,
      fetchedAt,
      // From before the request: the token expires no later than we think.
      expiresAt: new Date(fetchedAt.getTime() + answer.expiresIn * 1000),
    });
    if (saved.created) opts.log('wechat.token_refreshed', { generation: next, expires_in: answer.expiresIn });
    return saved.generation;
  }

  async function refresh(): Promise<string> {
    const begun = reports;
    const keep = (generation: TokenGeneration, readAt: number) => {
      if (reports === begun) local = { generation, readAt };
    };
    const polls = Math.max(1, Math.ceil(waitMs / pollMs));
    for (let i = 0; i <= polls; i++) {
      const current = await opts.store.latest(opts.appid);
      const now = opts.clock.now();
      if (current && usable(current, now)) {
        keep(current, now.getTime());
        return current.token;
      }
      const next = (current?.generation ?? 0) + 1;
      const until = new Date(now.getTime() + opts.timeoutMs * 3);
      if (await opts.store.lease(opts.appid, next, now, until)) {
        const fresh = await fetchGeneration(current, next);
        keep(fresh, opts.clock.now().getTime());
        return fresh.token;
      }
      // Another instance is fetching: a token that has not expired (nor been refused) still works.
      if (current && !current.invalid && current.expiresAt > now) return current.token;
      if (i < polls) await sleep(pollMs);
    }
    throw new AccessTokenError('access_token: no valid token and another instance is still fetching');
  }

  return {
    async get() {
      const now = opts.clock.now();
      if (local && usable(local.generation, now) && now.getTime() - local.readAt < localTtlMs)
        return local.generation.token;
      // One refresh per process at a time; the database decides between processes.
      if (inFlight?.reports !== reports) {
        const look = {
          reports,
          promise: refresh().finally(() => {
            if (inFlight === look) inFlight = undefined;
          }),
        };
        inFlight = look;
      }
      return inFlight.promise;
    },
    async invalidate(failing) {
      if (local?.generation.token === failing) local = undefined;
      try {
        const current = await opts.store.latest(opts.appid);
        if (!current || current.token !== failing || current.invalid) return;
        if (await opts.store.invalidate(opts.appid, current.generation, failing))
          opts.log('wechat.token_invalidated', { generation: current.generation });
      } finally {
        // Counted once the mark is stored: a look that starts later reads it.
        reports++;
      }
    },
  };
}
