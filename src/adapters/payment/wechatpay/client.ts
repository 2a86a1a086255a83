// The signed HTTP layer: sign → send (with a deadline) → status check → verify → parse.
// Anything whose outcome is unknown (network, timeout, 5xx, 429, unverifiable) becomes
// provider_unavailable here, so callers only ever see answers WeChat provably sent.
import type { ProviderError } from '../../../domain/payment';
import type { Clock, Random } from '../../../domain/ports';
import { err, ok, type Result } from '../../../domain/result';
import type { WechatPayConfig } from './config';
import {
  authorizationHeader,
  NONCE_ALPHABET,
  parsePrivateKey,
  requestMessage,
  rsaSign,
  unixSeconds,
} from './crypto';
import type { Verifier } from './verifier';

export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface ApiAnswer {
  readonly status: number;
  /** Parsed JSON body; null for an empty body (204). */
  readonly json: Record<string, unknown> | null;
  readonly requestId: string | null;
}

export interface ApiClient {
  call(
    method: 'GET' | 'POST',
    pathWithQuery: string,
    body?: object,
  ): Promise<Result<ApiAnswer, ProviderError>>;
}

export interface ClientDeps {
  readonly fetch: Fetch;
  readonly clock: Clock;
  readonly random: Random;
}

/** 5xx codes that WeChat documents as data/config errors: retrying them cannot help. */
const DEFINITIVE_5XX = new Set(['OPENID_MISMATCH', 'INVALID_TRANSACTIONID']);

const unavailable = (message: string): Result<never, ProviderError> =>
  err({ kind: 'provider_unavailable', message });

export function createApiClient(config: WechatPayConfig, verifier: Verifier, deps: ClientDeps): ApiClient {
  const key = parsePrivateKey(config.merchantPrivateKeyPem);
  return {
    async call(method, pathWithQuery, body) {
      // Serialized once: the signed bytes must be the sent bytes.
      const text = body === undefined ? '' : JSON.stringify(body);
      const ts = unixSeconds(deps.clock.now());
      const nonce = deps.random.string(32, NONCE_ALPHABET);
      const signature = rsaSign(requestMessage(method, pathWithQuery, ts, nonce, text), key);
      const headers = {
        Accept: 'application/json',
        'Content-Type': 'application/json',
        'User-Agent': config.userAgent,
        'Wechatpay-Serial': config.acceptSerial,
        Authorization: authorizationHeader({
          mchid: config.mchid,
          nonce_str: nonce,
          timestamp: ts,
          serial_no: config.merchantSerial,
          signature,
        }),
      };
      const label = `${method} ${pathWithQuery.split('?')[0]}`;
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), config.timeoutMs);
      let res: Response;
      let raw: string;
      try {
        res = await deps.fetch(config.baseUrl + pathWithQuery, {
          method,
          headers,
          body: method === 'GET' ? undefined : text,
          signal: abort.signal,
        });
        raw = await res.text(); // the deadline covers the body too
      } catch (e) {
        return unavailable(
          `${label}: ${abort.signal.aborted ? `timed out after ${config.timeoutMs} ms` : (e as Error).message}`,
        );
      } finally {
        clearTimeout(timer);
      }
      const requestId = res.headers.get('request-id');
      const where = `${label} → ${res.status} (Request-ID ${requestId ?? '-'})`;
      const checked = verifier.verify(res.headers, raw, deps.clock.now().getTime() / 1000);
      let json: Record<string, unknown> | null = null;
      try {
        const parsed: unknown = raw === '' ? null : JSON.parse(raw);
        if (parsed !== null && (typeof parsed !== 'object' || Array.isArray(parsed)))
          throw new Error('not an object');
        json = parsed as Record<string, unknown> | null;
      } catch {
        if (checked.ok || res.status < 500) return unavailable(`${where}: body is not a JSON object`);
      }
      const code = typeof json?.code === 'string' ? json.code : '';
      if (res.status >= 500 || res.status === 429) {
        if (checked.ok && DEFINITIVE_5XX.has(code)) return ok({ status: res.status, json, requestId });
        return unavailable(`${where} ${code}`.trim());
      }
      // 2xx must be signed (an unsigned 2xx is forged); 4xx are signed too and we act on them.
      if (!checked.ok) return unavailable(`${where}: unverifiable response: ${checked.error.message}`);
      if (res.status === 202 || res.status < 200 || (res.status >= 300 && res.status < 400))
        return unavailable(`${where}: not a final answer`);
      return ok({ status: res.status, json, requestId });
    },
  };
}
