import type { LoginFailure, WechatLogin } from '../../domain/ports';

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface Jscode2SessionOptions {
  /** `https://api.weixin.qq.com` in production, the sandbox's URL in development. */
  readonly baseUrl: string;
  readonly appid: string;
  readonly secret: string;
  readonly fetch?: Fetch;
  readonly timeoutMs: number;
}

/** WeChat errcodes that are a verdict on the code or the user; everything else is "try later". */
const VERDICTS: Readonly<Record<number, LoginFailure>> = {
  40029: 'code_invalid', // invalid code
  40163: 'code_invalid', // code already used
  45011: 'rate_limited', // API minute-quota for this user
  40226: 'user_blocked', // high-risk user blocked by WeChat
};

// wx.login() codes are short; refusing odd ones locally spares WeChat's quota. (`.` is for the
// sandbox's fresh codes of one user, `alice.2`; WeChat's own codes never contain one.)
const CODE_PATTERN = /^[A-Za-z0-9_.-]{1,128}$/;

type Outcome = Awaited<ReturnType<WechatLogin['exchange']>>;
const fail = (reason: LoginFailure, message: string): Outcome => ({ ok: false, reason, message });

/**
 * `WechatJscode2Session`. The session_key goes to the login use case only (xpay signs payments with
 * it; it is stored sealed); it never reaches logs, responses or error messages. Error messages never
 * contain the URL, because the URL carries the app secret.
 */
export function createJscode2Session(opts: Jscode2SessionOptions): WechatLogin {
  const fetchFn = opts.fetch ?? fetch;
  return {
    async exchange(code) {
      if (!CODE_PATTERN.test(code)) return fail('code_invalid', 'malformed login code');
      // Appended, not resolved: a base behind a proxy path (https://proxy/wx) keeps its prefix.
      const url = new URL(`${opts.baseUrl.replace(/\/+$/, '')}/sns/jscode2session`);
      url.search = new URLSearchParams({
        appid: opts.appid,
        secret: opts.secret,
        js_code: code,
        grant_type: 'authorization_code',
      }).toString();
      let status: number;
      let text: string;
      try {
        const res = await fetchFn(url, { signal: AbortSignal.timeout(opts.timeoutMs) });
        status = res.status;
        text = await res.text();
      } catch (e) {
        const timedOut = e instanceof Error && e.name === 'TimeoutError';
        return fail('unavailable', timedOut ? 'jscode2session timed out' : 'jscode2session unreachable');
      }
      if (status !== 200) return fail('unavailable', `jscode2session answered HTTP ${status}`);
      let body: unknown;
      try {
        // WeChat sometimes labels JSON as text/plain, so parse the text rather than trust the header.
        body = JSON.parse(text);
      } catch {
        return fail('unavailable', 'jscode2session answered non-JSON');
      }
      if (typeof body !== 'object' || body === null)
        return fail('unavailable', 'jscode2session: not an object');
      const { openid, session_key: sessionKey, errcode, errmsg } = body as Record<string, unknown>;
      if ((errcode === undefined || errcode === 0) && typeof openid === 'string' && openid.length > 0) {
        if (typeof sessionKey !== 'string' || sessionKey === '')
          return fail('unavailable', 'jscode2session answered without session_key');
        return { ok: true, openid, sessionKey };
      }
      const detail = `jscode2session errcode ${String(errcode)}: ${typeof errmsg === 'string' ? errmsg : ''}`;
      const verdict = typeof errcode === 'number' ? VERDICTS[errcode] : undefined;
      return fail(verdict ?? 'unavailable', detail);
    },
  };
}
