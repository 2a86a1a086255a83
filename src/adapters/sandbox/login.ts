import { createHash, randomBytes } from 'node:crypto';
import { type Handler, json } from './http';

/**
 * Reserved js_code prefixes that make the sandbox answer like WeChat's error branches, so the
 * login adapter and the API can be tested end to end. Any other well-formed code is valid.
 */
export const RESERVED_CODE_PREFIXES: readonly (readonly [string, number, string])[] = [
  ['blocked_', 40226, 'high risk user blocked'],
  ['ratelimit_', 45011, 'api minute-quota reach limit'],
  ['used_', 40163, 'code been used'],
  ['busy_', -1, 'system error'],
];

const CODE_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Deterministic per (appid, user), so "alice" logs in as the same user every time. Everything from the
 * first `.` on is a nonce: `alice.1`, `alice.2` are fresh codes of the same user, as wx.login() hands
 * out a new code for each login (the API accepts each code once, as WeChat does).
 */
export function sandboxOpenid(appid: string, code: string): string {
  const user = code.split('.', 1)[0];
  return `o${createHash('sha256').update(`${appid}${user}`).digest('base64url')}`.slice(0, 28);
}

/**
 * `GET /sns/jscode2session`: always HTTP 200, like WeChat, with `errcode` for failures.
 * `GET /sandbox/logins`: how many jscode2session calls arrived — what the same calls would cost
 * of a real mini-program's WeChat quota. `sessionKeys` (openid → current session_key) is kept up to
 * date for the xpay simulator.
 */
export function loginRoutes(appid: string, sessionKeys?: Map<string, string>): Handler {
  let calls = 0;
  return async (req, url) => {
    if (req.method === 'GET' && url.pathname === '/sandbox/logins') return json({ calls });
    if (req.method !== 'GET' || url.pathname !== '/sns/jscode2session') return null;
    calls++;
    const q = url.searchParams;
    if (q.get('appid') !== appid) return json({ errcode: 40013, errmsg: 'invalid appid' });
    if (!q.get('secret')) return json({ errcode: 40125, errmsg: 'invalid appsecret' });
    if (q.get('grant_type') !== 'authorization_code')
      return json({ errcode: 40002, errmsg: 'invalid grant_type' });
    const code = q.get('js_code') ?? '';
    if (!CODE_PATTERN.test(code)) return json({ errcode: 40029, errmsg: 'invalid code' });
    const reserved = RESERVED_CODE_PREFIXES.find(([prefix]) => code.startsWith(prefix));
    if (reserved) return json({ errcode: reserved[1], errmsg: reserved[2] });
    // A new key per login replaces the user's previous one, as WeChat's does (brief §5): the xpay
    // simulator checks signatures against the current one only.
    const openid = sandboxOpenid(appid, code);
    const sessionKey = randomBytes(16).toString('base64');
    sessionKeys?.set(openid, sessionKey);
    return json({ openid, session_key: sessionKey });
  };
}
