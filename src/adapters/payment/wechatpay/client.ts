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
  /**
   * A signed GET of a bill's `download_url`, answered as bytes. WeChat does not sign these answers:
   * the caller checks the bill's SHA1 from the signed `tradebill` answer instead. Only URLs on the
   * API's own origin are fetched, so the merchant's signature never goes elsewhere.
   */
  download(url: string): Promise<Result<Uint8Array, ProviderError>>;
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
  const authorization = (method: string, pathWithQuery: string, text: string) => {
    const ts = unixSeconds(deps.clock.now());
    const nonce = deps.random.string(32, NONCE_ALPHABET);
    const signature = rsaSign(requestMessage(method, pathWithQuery, ts, nonce, text), key);
    return authorizationHeader({
      mchid: config.mchid,
      nonce_str: nonce,
      timestamp: ts,
      serial_no: config.merchantSerial,
      signature,
    });
  };
  return {
    async download(url) {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        return unavailable(`bill download: not a URL`);
      }
      if (target.origin !== new URL(config.baseUrl).origin)
        return unavailable('bill download: foreign origin');
      const pathWithQuery = target.pathname + target.search;
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), config.timeoutMs);
      try {
        const res = await deps.fetch(target.toString(), {
          method: 'GET',
          headers: { 'User-Agent': config.userAgent, Authorization: authorization('GET', pathWithQuery, '') },
          signal: abort.signal,
        });
        const bytes = new Uint8Array(await res.arrayBuffer());
        return res.status === 200 ? ok(bytes) : unavailable(`bill download → ${res.status}`);
      } catch (e) {
        return unavailable(`bill download: ${abort.signal.aborted ? 'timed out' : (e as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
    },
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
