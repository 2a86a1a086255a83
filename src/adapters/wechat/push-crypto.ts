import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * WeChat message-push cryptography (brief §6.2), shared by the receiving endpoint and the sandbox's
 * sender so both sides compute exactly one formula.
 */

/** `sha1(sort(parts).join(''))`, lowercase hex: `signature` (token, timestamp, nonce) and `msg_signature` (+ Encrypt). */
export function pushSignature(parts: readonly string[]): string {
  // Plain code-unit order, as WeChat's samples sort (lexicographic on the strings).
  const sorted = [...parts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha1').update(sorted.join('')).digest('hex');
}

/** Constant-time comparison of two hex signatures (case-insensitive, any length). */
export function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected.toLowerCase());
  const b = Buffer.from(given.toLowerCase());
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A valid EncodingAESKey: 43 characters of base64 alphabet that decode to 32 bytes. */
export const ENCODING_AES_KEY = /^[A-Za-z0-9+/]{43}$/;

/** `AESKey = base64_decode(EncodingAESKey + "=")`: 32 bytes; the IV is its first 16. */
export function aesKeyOf(encodingAesKey: string): Buffer {
  if (!ENCODING_AES_KEY.test(encodingAesKey)) throw new Error('EncodingAESKey must be 43 base64 characters');
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (key.length !== 32) throw new Error('EncodingAESKey must decode to 32 bytes');
  return key;
}

/** WeChat pads to 32-byte blocks (PKCS#7 with K = 32), so Node's 16-byte auto padding stays off. */
const BLOCK = 32;

/** `Encrypt` of `random(16) ‖ msg_len (4 B, big-endian) ‖ msg ‖ appid`, base64. */
export function encryptPush(key: Buffer, message: string, appid: string, random16?: Buffer): string {
  const random = random16 ?? randomBytes(16);
  if (random.length !== 16) throw new Error('random prefix must be 16 bytes');
  const msg = Buffer.from(message, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(msg.length, 0);
  const plain = Buffer.concat([random, len, msg, Buffer.from(appid, 'utf8')]);
  const pad = BLOCK - (plain.length % BLOCK);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  const padded = Buffer.concat([plain, Buffer.alloc(pad, pad)]);
  return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
}

export type Decrypted =
  | { readonly ok: true; readonly message: string; readonly appid: string }
  | { readonly ok: false; readonly reason: string };

/** Decrypts `Encrypt`; checks the 32-byte padding and the length field. The caller checks the appid. */
export function decryptPush(key: Buffer, encrypted: string): Decrypted {
  const data = Buffer.from(encrypted, 'base64');
  if (data.length === 0 || data.length % BLOCK !== 0) return { ok: false, reason: 'ciphertext length' };
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    decipher.setAutoPadding(false);
    plain = Buffer.concat([decipher.update(data), decipher.final()]);
  } catch {
    return { ok: false, reason: 'ciphertext' };
  }
  const pad = plain[plain.length - 1]!;
  if (pad < 1 || pad > BLOCK || !plain.subarray(plain.length - pad).every((b) => b === pad))
    return { ok: false, reason: 'padding' };
  const body = plain.subarray(0, plain.length - pad);
  if (body.length < 20) return { ok: false, reason: 'too short' };
  const len = body.readUInt32BE(16);
  if (20 + len > body.length) return { ok: false, reason: 'length field' };
  return {
    ok: true,
    message: body.subarray(20, 20 + len).toString('utf8'),
    appid: body.subarray(20 + len).toString('utf8'),
  };
}
