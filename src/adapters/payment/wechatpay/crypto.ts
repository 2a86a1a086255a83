// The byte-level WeChat Pay v3 primitives, shared by the adapter and the simulator so both sides
// build the same messages; the known-answer tests pin them against openssl/python output.
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign,
  verify,
  X509Certificate,
} from 'node:crypto';

export const SIGNATURE_TYPE = 'WECHATPAY2-SHA256-RSA2048';
export const NONCE_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const TAG_BYTES = 16;

/** Every line ends in `\n`, the last one included — the most common cause of SIGN_ERROR. */
export const requestMessage = (
  method: string,
  pathWithQuery: string,
  ts: string,
  nonce: string,
  body: string,
) => `${method}\n${pathWithQuery}\n${ts}\n${nonce}\n${body}\n`;

export const responseMessage = (ts: string, nonce: string, body: string) => `${ts}\n${nonce}\n${body}\n`;

export const paySignMessage = (appId: string, timeStamp: string, nonceStr: string, pkg: string) =>
  `${appId}\n${timeStamp}\n${nonceStr}\n${pkg}\n`;

/** SHA256withRSA (PKCS#1 v1.5, deterministic), base64. */
export const rsaSign = (message: string, key: KeyObject): string =>
  sign('sha256', Buffer.from(message, 'utf8'), key).toString('base64');

/** Never throws: garbage such as a `WECHATPAY/SIGNTEST/…` probe simply fails. */
export function rsaVerify(message: string, signatureB64: string, key: KeyObject): boolean {
  try {
    return verify('sha256', Buffer.from(message, 'utf8'), key, Buffer.from(signatureB64, 'base64'));
  } catch {
    return false;
  }
}

/** apiclient_key.pem (PKCS#8 or PKCS#1); throws when it is not an RSA private key. */
export function parsePrivateKey(pem: string): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'rsa')
    throw new Error(`expected an RSA private key, got ${key.asymmetricKeyType}`);
  return key;
}

/** A WeChat Pay public key (SPKI PEM) or a platform certificate (X.509 PEM) → its RSA public key. */
export function parseVerifierKey(pem: string): KeyObject {
  const key = pem.includes('BEGIN CERTIFICATE') ? new X509Certificate(pem).publicKey : createPublicKey(pem);
  if (key.asymmetricKeyType !== 'rsa')
    throw new Error(`expected an RSA public key, got ${key.asymmetricKeyType}`);
  return key;
}

/** Platform certificates are keyed by their serial in uppercase hex, as WeChat sends it. */
export const certificateSerial = (certPem: string): string =>
  new X509Certificate(certPem).serialNumber.toUpperCase();

export interface AuthorizationParts {
  readonly mchid: string;
  readonly nonce_str: string;
  readonly timestamp: string;
  readonly serial_no: string;
  readonly signature: string;
}

export const authorizationHeader = (p: AuthorizationParts): string =>
  `${SIGNATURE_TYPE} mchid="${p.mchid}",nonce_str="${p.nonce_str}",timestamp="${p.timestamp}",serial_no="${p.serial_no}",signature="${p.signature}"`;

/** Parses `WECHATPAY2-SHA256-RSA2048 k="v",…` in any field order; null when malformed or incomplete. */
export function parseAuthorization(header: string): AuthorizationParts | null {
  const prefix = `${SIGNATURE_TYPE} `;
  if (!header.startsWith(prefix)) return null;
  const fields = new Map<string, string>();
  for (const part of header.slice(prefix.length).split(',')) {
    const m = /^\s*([a-z_]+)="([^"]*)"\s*$/.exec(part);
    if (!m) return null;
    fields.set(m[1]!, m[2]!);
  }
  const [mchid, nonce_str, timestamp, serial_no, signature] = [
    'mchid',
    'nonce_str',
    'timestamp',
    'serial_no',
    'signature',
  ].map((k) => fields.get(k));
  if (!mchid || !nonce_str || !timestamp || !serial_no || !signature) return null;
  return { mchid, nonce_str, timestamp, serial_no, signature };
}

/** AEAD_AES_256_GCM as WeChat uses it: key = 32 ASCII bytes, IV = nonce's UTF-8 bytes, base64(ct‖tag). */
export function aeadEncrypt(apiV3Key: string, nonce: string, aad: string, plaintext: string): string {
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(nonce, 'utf8'), {
    authTagLength: TAG_BYTES,
  });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([ct, cipher.getAuthTag()]).toString('base64');
}

/**
 * Undefined when the tag does not authenticate. The tag length is pinned to 16 both in the
 * options and in the slice: Bun once accepted truncated tags, and `final()` is what actually
 * checks the tag — skipping it returns unauthenticated plaintext.
 */
export function aeadDecrypt(
  apiV3Key: string,
  nonce: string,
  aad: string,
  ciphertextB64: string,
): string | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(ciphertextB64)) return undefined;
  const data = Buffer.from(ciphertextB64, 'base64');
  if (data.length <= TAG_BYTES || Buffer.byteLength(apiV3Key, 'utf8') !== 32) return undefined;
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      Buffer.from(apiV3Key, 'utf8'),
      Buffer.from(nonce, 'utf8'),
      {
        authTagLength: TAG_BYTES,
      },
    );
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    const pt = Buffer.concat([decipher.update(data.subarray(0, data.length - TAG_BYTES)), decipher.final()]);
    return pt.toString('utf8');
  } catch {
    return undefined;
  }
}

/** `2024-07-01T12:00:00+08:00`: WeChat's documented form, whole seconds, Beijing offset. */
export function toBeijingRfc3339(d: Date): string {
  const shifted = new Date(Math.floor(d.getTime() / 1000) * 1000 + 8 * 3600_000);
  return `${shifted.toISOString().slice(0, 19)}+08:00`;
}

export const unixSeconds = (d: Date): string => Math.floor(d.getTime() / 1000).toString();
