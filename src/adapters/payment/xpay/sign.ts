// The three xpay signatures (platform brief §1.6). Keys are the AppKey / session_key strings as
// UTF-8 bytes (the session_key is NOT base64-decoded); digests are lowercase hex.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const hmacSha256Hex = (key: string, message: string): string =>
  createHmac('sha256', Buffer.from(key, 'utf8')).update(message, 'utf8').digest('hex');

/** `paySig` for wx.requestVirtualPayment: AppKey of the signData's env over `requestVirtualPayment&<signData>`. */
export const clientPaySig = (appKey: string, signData: string): string =>
  hmacSha256Hex(appKey, `requestVirtualPayment&${signData}`);

/** `pay_sig` of a server API: AppKey over `<uri>&<exact body>`, uri = the path alone (no host, no query). */
export const apiPaySig = (appKey: string, uri: string, body: string): string =>
  hmacSha256Hex(appKey, `${uri}&${body}`);

/** The user-state `signature`: session_key over the signData (client) or the exact body (server API). */
export const userSignature = (sessionKey: string, message: string): string =>
  hmacSha256Hex(sessionKey, message);

/** Constant-time comparison of two hex digests (the sandbox verifies with it). */
export function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
