// Validates a signed WeChat answer (API response or notification), in the official SDKs' order:
// headers present → time window → key by serial → signature over the exact received bytes.
import type { KeyObject } from 'node:crypto';
import { err, ok, type Result } from '../../../domain/result';
import { parseVerifierKey, responseMessage, rsaVerify, SIGNATURE_TYPE } from './crypto';

export const WINDOW_SECONDS = 300;

export type VerifyFailure = {
  readonly reason: 'headers' | 'time' | 'serial' | 'signature';
  readonly message: string;
};

export interface Verifier {
  /** `nowSeconds` comes from the caller's Clock so tests control the window. */
  verify(headers: Headers, rawBody: string, nowSeconds: number): Result<void, VerifyFailure>;
}

/** Keys by serial; holding a public key and platform certificates together covers a migration. */
export function createVerifier(pems: Readonly<Record<string, string>>): Verifier {
  const keys = new Map<string, KeyObject>();
  for (const [serial, pem] of Object.entries(pems)) keys.set(serial.toUpperCase(), parseVerifierKey(pem));
  return {
    verify(headers, rawBody, nowSeconds) {
      const ts = headers.get('wechatpay-timestamp');
      const nonce = headers.get('wechatpay-nonce');
      const signature = headers.get('wechatpay-signature');
      const serial = headers.get('wechatpay-serial');
      // Absent type defaults to RSA (as wechatpay-java does); any other scheme is unsupported.
      const type = headers.get('wechatpay-signature-type') ?? SIGNATURE_TYPE;
      if (!ts || !nonce || !signature || !serial)
        return err({ reason: 'headers', message: 'missing Wechatpay-Timestamp/Nonce/Signature/Serial' });
      if (type !== SIGNATURE_TYPE)
        return err({ reason: 'headers', message: `unsupported signature type ${type}` });
      if (!/^\d{1,12}$/.test(ts)) return err({ reason: 'headers', message: 'malformed Wechatpay-Timestamp' });
      if (Math.abs(nowSeconds - Number(ts)) > WINDOW_SECONDS)
        return err({
          reason: 'time',
          message: `Wechatpay-Timestamp ${ts} is outside the ${WINDOW_SECONDS}s window`,
        });
      const key = keys.get(serial.toUpperCase());
      if (!key) return err({ reason: 'serial', message: `unknown Wechatpay-Serial ${serial}` });
      // WECHATPAY/SIGNTEST/ probes are not special-cased: they are invalid signatures and fail here.
      if (!rsaVerify(responseMessage(ts, nonce, rawBody), signature, key))
        return err({ reason: 'signature', message: `signature does not verify (serial ${serial})` });
      return ok(undefined);
    },
  };
}
