import type { AccessTokens } from './access-token';

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * What a WeChat server API call came to. `ok`: HTTP 200 with errcode 0 or none. `error`: WeChat
 * answered with an errcode — a definite answer. `unknown`: no answer we can read (network, timeout,
 * HTTP status other than 200, not JSON, no token to be had) — the call may or may not have taken effect.
 */
export type WechatApiResult =
  | { readonly kind: 'ok'; readonly body: Readonly<Record<string, unknown>> }
  | {
      readonly kind: 'error';
      readonly errcode: number;
      readonly errmsg: string;
      readonly body: Readonly<Record<string, unknown>>;
    }
  | {
      readonly kind: 'unknown';
      readonly reason: 'timeout' | 'network' | 'http_status' | 'malformed' | 'no_token';
      readonly detail: string;
    };

export interface WechatApi {
  /**
   * POSTs `body` byte for byte (xpay signs these exact bytes) to `path` with `access_token` (and
   * `query`) in the query string. A 40001/42001/40014 answer invalidates the token that was used — if
   * it is still the shared one — and the call is made once more with the next token.
   */
  post(path: string, body: string, query?: Record<string, string>): Promise<WechatApiResult>;
}

export interface WechatApiOptions {
  readonly apiBase: string;
  readonly tokens: AccessTokens;
  readonly timeoutMs: number;
  readonly fetch?: Fetch;
}

/** access_token invalid (40001, 40014) or expired (42001): brief §3. */
export const TOKEN_ERRCODES: ReadonlySet<number> = new Set([40001, 40014, 42001]);

export function createWechatApi(opts: WechatApiOptions): WechatApi {
  const fetchFn = opts.fetch ?? fetch;
  const base = opts.apiBase.replace(/\/+$/, '');

  async function once(path: string, body: string, token: string, query: Record<string, string>) {
    const url = new URL(`${base}${path.startsWith('/') ? path : `/${path}`}`);
    url.search = new URLSearchParams({ ...query, access_token: token }).toString();
    let res: Response;
    let text: string;
    try {
      res = await fetchFn(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body,
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
      text = await res.text();
    } catch (e) {
      // Never the URL in a message: it carries the access_token.
      const timedOut = e instanceof Error && e.name === 'TimeoutError';
      return {
        kind: 'unknown',
        reason: timedOut ? 'timeout' : 'network',
        detail: `${path} ${timedOut ? 'timed out' : 'unreachable'}`,
      } as const;
    }
    if (res.status !== 200)
      return {
        kind: 'unknown',
        reason: 'http_status',
        detail: `${path} answered HTTP ${res.status}`,
      } as const;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { kind: 'unknown', reason: 'malformed', detail: `${path} answered non-JSON` } as const;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      return { kind: 'unknown', reason: 'malformed', detail: `${path} answered no object` } as const;
    const answer = parsed as Record<string, unknown>;
    const errcode = answer.errcode;
    if (errcode === undefined || errcode === 0) return { kind: 'ok', body: answer } as const;
    return {
      kind: 'error',
      errcode: typeof errcode === 'number' ? errcode : Number(errcode),
      errmsg: typeof answer.errmsg === 'string' ? answer.errmsg : '',
      body: answer,
    } as const;
  }

  const token = async (): Promise<string | WechatApiResult> => {
    try {
      return await opts.tokens.get();
    } catch (e) {
      return { kind: 'unknown', reason: 'no_token', detail: e instanceof Error ? e.message : String(e) };
    }
  };

  return {
    async post(path, body, query = {}) {
      const first = await token();
      if (typeof first !== 'string') return first;
      const answer = await once(path, body, first, query);
      if (answer.kind !== 'error' || !TOKEN_ERRCODES.has(answer.errcode)) return answer;
      await opts.tokens.invalidate(first);
      const second = await token();
      if (typeof second !== 'string') return second;
      return once(path, body, second, query);
    },
  };
}
