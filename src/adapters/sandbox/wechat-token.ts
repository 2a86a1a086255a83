// `stable_token` as WeChat plays it (brief §3), and the access_token check every simulated server
// API makes. State is in memory; knobs under /sandbox/wechat/token.
import { randomBytes } from 'node:crypto';
import { type Handler, json, readJsonObject } from './http';

export interface TokenOptions {
  readonly appid: string;
  /** Lifetime of a token in seconds (WeChat: 7200); tests use a few seconds. */
  readonly lifetimeSeconds: number;
  /** Stable mode hands out a new token when less than this is left; the old one stays valid until it expires. */
  readonly overlapSeconds: number;
  readonly now: () => Date;
}

interface Issued {
  readonly token: string;
  readonly expiresAt: number;
  readonly generation: number;
}

export type TokenCheck =
  | { readonly ok: true }
  | { readonly errcode: 40001 | 42001 | 41001; readonly errmsg: string };

/** WeChat's force_refresh limits (brief §3). */
const FORCE_PER_DAY = 20;
const FORCE_GAP_MS = 30_000;

export interface TokenSimulator {
  readonly handle: Handler;
  /** What a simulated API answers for the request's `access_token`. */
  check(url: URL): TokenCheck;
}

export function tokenSimulator(opts: TokenOptions): TokenSimulator {
  const issued = new Map<string, Issued>();
  const revoked = new Set<string>();
  let current: Issued | null = null;
  let generation = 0;
  const counts = { calls: 0, issued: 0, forced: 0, refused: 0 };
  /** Distinct tokens handed out by stable_token calls: one call per token means no call was wasted. */
  const handed = new Set<string>();
  const forcedAt: number[] = [];
  const nowMs = () => opts.now().getTime();
  /** Test knob: stable_token answers this much later (a slow WeChat lets callers pile up). */
  let delayMs = 0;
  /** Lifetime of tokens issued from now on; a test can lengthen it to stop the rotation. */
  let lifetimeSeconds = opts.lifetimeSeconds;

  const issue = (): Issued => {
    const t = {
      token: `sbx_${randomBytes(24).toString('base64url')}`,
      expiresAt: nowMs() + lifetimeSeconds * 1000,
      generation: ++generation,
    };
    issued.set(t.token, t);
    counts.issued++;
    current = t;
    return t;
  };
  const answer = (t: Issued) => {
    handed.add(t.token);
    return json({
      access_token: t.token,
      expires_in: Math.max(1, Math.floor((t.expiresAt - nowMs()) / 1000)),
    });
  };

  async function stableToken(req: Request): Promise<Response> {
    counts.calls++;
    const b = await readJsonObject(req);
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (!b) return json({ errcode: 47001, errmsg: 'data format error' });
    if (b.grant_type !== 'client_credential') return json({ errcode: 40002, errmsg: 'invalid grant_type' });
    if (b.appid !== opts.appid) return json({ errcode: 40013, errmsg: 'invalid appid' });
    if (typeof b.secret !== 'string' || b.secret === '')
      return json({ errcode: 40125, errmsg: 'invalid appsecret' });
    const now = nowMs();
    if (b.force_refresh === true) {
      const today = forcedAt.filter((t) => now - t < 24 * 3600_000);
      if (
        today.length >= FORCE_PER_DAY ||
        (today.length > 0 && now - today[today.length - 1]! < FORCE_GAP_MS)
      ) {
        counts.refused++;
        return json({ errcode: 45009, errmsg: 'reach max api daily quota limit' });
      }
      forcedAt.push(now);
      counts.forced++;
      // A forced token revokes the previous one at once.
      if (current) revoked.add(current.token);
      return answer(issue());
    }
    if (!current || current.expiresAt - now < opts.overlapSeconds * 1000) return answer(issue());
    return answer(current);
  }

  function check(url: URL): TokenCheck {
    const token = url.searchParams.get('access_token');
    if (!token) return { errcode: 41001, errmsg: 'access_token missing' };
    const t = issued.get(token);
    if (!t || revoked.has(token))
      return { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' };
    if (t.expiresAt <= nowMs()) return { errcode: 42001, errmsg: 'access_token expired' };
    return { ok: true };
  }

  const handle: Handler = async (req, url) => {
    const path = url.pathname;
    if (req.method === 'POST' && path === '/cgi-bin/stable_token') return stableToken(req);
    if (req.method === 'GET' && path === '/sandbox/wechat/token')
      return json({
        ...counts,
        handed: handed.size,
        generation: current?.generation ?? 0,
        expires_at: current ? new Date(current.expiresAt).toISOString() : null,
        lifetime_seconds: lifetimeSeconds,
        overlap_seconds: opts.overlapSeconds,
      });
    if (req.method === 'POST' && path === '/sandbox/wechat/token/settings') {
      const b = (await readJsonObject(req)) ?? {};
      const { delay_ms: ms, lifetime_seconds: life } = b;
      const whole = (v: unknown, min: number, max: number): v is number =>
        typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
      if (ms === undefined && life === undefined)
        return json({ error: 'give delay_ms, lifetime_seconds or both' }, 400);
      if (ms !== undefined && !whole(ms, 0, 60_000))
        return json({ error: 'delay_ms must be an integer from 0 to 60000' }, 400);
      if (life !== undefined && !whole(life, 1, 7200))
        return json({ error: 'lifetime_seconds must be an integer from 1 to 7200' }, 400);
      // Both checked before either is applied: a half-bad request changes nothing.
      if (whole(ms, 0, 60_000)) delayMs = ms;
      if (whole(life, 1, 7200)) lifetimeSeconds = life;
      return json({ delay_ms: delayMs, lifetime_seconds: lifetimeSeconds });
    }
    if (req.method === 'POST' && path === '/sandbox/wechat/token/revoke') {
      // The current token fails with 40001 from now on. By default WeChat has a new current token
      // (as after someone else's forced refresh); `rotate: false` keeps handing out the revoked one.
      const b = (await readJsonObject(req)) ?? {};
      if (!current) return json({ error: 'no token issued yet' }, 409);
      revoked.add(current.token);
      const revokedGeneration = current.generation;
      if (b.rotate !== false) issue();
      return json({ revoked_generation: revokedGeneration, generation: current.generation });
    }
    return null;
  };
  return { handle, check };
}
