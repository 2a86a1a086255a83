import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header the gateway (and the sandbox) puts on every callback to `/api/orders/callback`. */
export const SIGNATURE_HEADER = 'X-Gateway-Signature';

// A header with hundreds of v1 entries would make verification cost proportional to attacker input.
const MAX_SIGNATURES = 8;

/** hex HMAC-SHA256(secret, `${t}.${rawBody}`): binding t into the MAC makes replays expire with it. */
export function gatewayHmacHex(secret: string, rawBody: string, tSec: number): string {
  return createHmac('sha256', secret).update(`${tSec}.${rawBody}`).digest('hex');
}

/**
 * The header value for one or more secrets: `t=<unix s>,v1=<hex>[,v1=<hex>…]`. Signing with the
 * old and the new secret during a rotation lets either side switch first.
 */
export function signGatewayPayload(
  secret: string | readonly string[],
  rawBody: string,
  tSec: number,
): string {
  const secrets = typeof secret === 'string' ? [secret] : secret;
  return [`t=${tSec}`, ...secrets.map((s) => `v1=${gatewayHmacHex(s, rawBody, tSec)}`)].join(',');
}

export interface ParsedSignature {
  readonly t: number;
  readonly v1: readonly Buffer[];
}

/** Strict parse; unknown schemes (e.g. a future `v2`) are skipped so the format can evolve. */
export function parseSignatureHeader(value: string | null): ParsedSignature | undefined {
  if (!value || value.length > 2048) return undefined;
  let t: number | undefined;
  const v1: Buffer[] = [];
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return undefined;
    const key = part.slice(0, eq).trim();
    const val = part.slice(eq + 1).trim();
    if (key === 't') {
      if (t !== undefined || !/^\d{1,12}$/.test(val)) return undefined;
      t = Number(val);
    } else if (key === 'v1') {
      if (!/^[0-9a-fA-F]{64}$/.test(val)) return undefined;
      v1.push(Buffer.from(val, 'hex'));
    }
  }
  if (t === undefined || v1.length === 0 || v1.length > MAX_SIGNATURES) return undefined;
  return { t, v1 };
}

/** True when any v1 matches any secret; every comparison is constant-time on 32-byte buffers. */
export function matchesAnySecret(sig: ParsedSignature, secrets: readonly string[], rawBody: string): boolean {
  let matched = false;
  for (const secret of secrets) {
    const expected = Buffer.from(gatewayHmacHex(secret, rawBody, sig.t), 'hex');
    for (const candidate of sig.v1) {
      // No early exit: the time taken must not reveal which secret or position matched.
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
    }
  }
  return matched;
}
