// Merchant configuration, validated once at start so a bad key fails at boot, not at the first payment.
import { err, ok, type Result } from '../../../domain/result';
import { certificateSerial, parsePrivateKey, parseVerifierKey } from './crypto';

export const DEFAULT_BASE_URL = 'https://api.mch.weixin.qq.com';

export interface WechatPayConfig {
  readonly mchid: string;
  readonly appid: string;
  /** The merchant API certificate serial (40 hex) — or a PUB_KEY_ID_ in merchant public-key mode. */
  readonly merchantSerial: string;
  readonly merchantPrivateKeyPem: string;
  /** 32 ASCII characters used raw as the AES-256 key. */
  readonly apiV3Key: string;
  /** serial → PEM: the WeChat Pay public key (`PUB_KEY_ID_…`) and/or platform certificates (hex serial). */
  readonly verifierKeys: Readonly<Record<string, string>>;
  /** Sent as `Wechatpay-Serial`; it tells WeChat which key should sign the response. */
  readonly acceptSerial: string;
  readonly baseUrl: string;
  readonly userAgent: string;
  readonly timeoutMs: number;
}

export type RawWechatPayConfig = { readonly [K in keyof WechatPayConfig]?: unknown };

const PUB_KEY_ID = /^PUB_KEY_ID_\d+$/;
const HEX_SERIAL = /^[0-9A-Fa-f]{1,40}$/;
const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

export function validateWechatPayConfig(raw: RawWechatPayConfig): Result<WechatPayConfig, string[]> {
  const problems: string[] = [];
  const mchid = str(raw.mchid);
  const appid = str(raw.appid);
  const merchantSerial = str(raw.merchantSerial).toUpperCase();
  const merchantPrivateKeyPem = str(raw.merchantPrivateKeyPem);
  const apiV3Key = typeof raw.apiV3Key === 'string' ? raw.apiV3Key : '';
  if (!/^\d{1,32}$/.test(mchid)) problems.push('mchid: expected the merchant number (digits only)');
  if (!/^wx[0-9a-zA-Z]{16}$/.test(appid))
    problems.push('appid: expected the mini-program appid "wx" + 16 characters');
  if (!/^[0-9A-F]{40}$/.test(merchantSerial) && !PUB_KEY_ID.test(merchantSerial))
    problems.push(
      'merchantSerial: expected the 40-hex-digit merchant API certificate serial (or PUB_KEY_ID_…)',
    );
  try {
    parsePrivateKey(merchantPrivateKeyPem);
  } catch (e) {
    problems.push(`merchantPrivateKey: not an RSA private key PEM (${(e as Error).message})`);
  }
  if (!/^[\x21-\x7e]{32}$/.test(apiV3Key))
    problems.push(`apiV3Key: expected exactly 32 printable ASCII characters, got ${apiV3Key.length}`);

  const verifierKeys: Record<string, string> = {};
  const rawKeys = raw.verifierKeys && typeof raw.verifierKeys === 'object' ? raw.verifierKeys : {};
  for (const [serialRaw, pem] of Object.entries(rawKeys as Record<string, unknown>)) {
    const serial = serialRaw.trim().toUpperCase();
    if (!PUB_KEY_ID.test(serial) && !HEX_SERIAL.test(serial)) {
      problems.push(
        `verifierKeys: "${serialRaw}" is neither PUB_KEY_ID_<digits> nor a hex certificate serial`,
      );
      continue;
    }
    try {
      if (typeof pem !== 'string') throw new Error('not a string');
      parseVerifierKey(pem);
      if (pem.includes('BEGIN CERTIFICATE') && certificateSerial(pem) !== serial)
        throw new Error(`the certificate's serial is ${certificateSerial(pem)}`);
      verifierKeys[serial] = pem;
    } catch (e) {
      problems.push(
        `verifierKeys[${serialRaw}]: not a usable RSA public key or certificate (${(e as Error).message})`,
      );
    }
  }
  const serials = Object.keys(verifierKeys);
  if (serials.length === 0)
    problems.push('verifierKeys: configure the WeChat Pay public key and/or platform certificates');

  // Public-key mode is preferred: asking for it by default also completes a migration.
  const acceptSerial =
    str(raw.acceptSerial).toUpperCase() || serials.find((s) => PUB_KEY_ID.test(s)) || serials[0] || '';
  if (acceptSerial && !verifierKeys[acceptSerial])
    problems.push(`acceptSerial: ${acceptSerial} is not among verifierKeys`);

  const baseUrl = (str(raw.baseUrl) || DEFAULT_BASE_URL).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/?#]+(\/[^?#]*)?$/.test(baseUrl))
    problems.push(`baseUrl: not an http(s) URL: ${baseUrl}`);
  const userAgent = str(raw.userAgent) || 'wx-credits-store/0.1 (bun)';
  const timeoutMs = raw.timeoutMs === undefined ? 10_000 : Number(raw.timeoutMs);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 60_000)
    problems.push('timeoutMs: expected an integer between 100 and 60000');

  if (problems.length > 0) return err(problems);
  return ok({
    mchid,
    appid,
    merchantSerial,
    merchantPrivateKeyPem,
    apiV3Key,
    verifierKeys,
    acceptSerial,
    baseUrl,
    userAgent,
    timeoutMs,
  });
}
