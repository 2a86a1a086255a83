import type { ProviderError } from '../../../domain/payment';
import { err, ok, type Result } from '../../../domain/result';
import { GatewayCode } from './contract';

export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** A gateway answer that reached a decision: `code` 200 with data, or a business code. */
export type Envelope =
  | { readonly accepted: true; readonly data: Record<string, unknown> }
  | { readonly accepted: false; readonly code: number; readonly message: string };

const unavailable = (message: string): Result<never, ProviderError> =>
  err({ kind: 'provider_unavailable', message });

/**
 * POSTs JSON and returns the envelope, or `provider_unavailable` for anything that does not prove
 * a decision (network, timeout, 429/5xx, non-JSON, wrong shape): callers must not guess then.
 */
export async function postGateway(
  fetchFn: Fetch,
  baseUrl: string,
  path: string,
  body: unknown,
  timeoutMs: number,
): Promise<Result<Envelope, ProviderError>> {
  let status: number;
  let text: string;
  try {
    const res = await fetchFn(new URL(path, baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      // Covers the body read too: a gateway that sends headers and then stalls still times out.
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = res.status;
    text = await res.text();
  } catch (e) {
    const name = e instanceof Error ? e.name : 'Error';
    return unavailable(name === 'TimeoutError' ? `gateway ${path} timed out` : `gateway ${path} unreachable`);
  }
  if (status === 429 || status >= 500) return unavailable(`gateway ${path} answered HTTP ${status}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return unavailable(`gateway ${path} answered non-JSON (HTTP ${status})`);
  }
  if (typeof json !== 'object' || json === null) return unavailable(`gateway ${path} answered a non-object`);
  const { code, message, data } = json as Record<string, unknown>;
  if (typeof code !== 'number' || !Number.isInteger(code)) return unavailable(`gateway ${path}: no code`);
  if (code === GatewayCode.OK) {
    if (typeof data !== 'object' || data === null)
      return unavailable(`gateway ${path}: code 200 without data`);
    return ok({ accepted: true, data: data as Record<string, unknown> });
  }
  // 5xx-style business codes mean the gateway itself could not decide.
  if (code >= 500 || code === 429)
    return unavailable(`gateway ${path}: code ${code} ${String(message ?? '')}`);
  return ok({ accepted: false, code, message: typeof message === 'string' ? message : '' });
}

export const str = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
