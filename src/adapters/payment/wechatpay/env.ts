// Reads the WECHATPAY_* variables and the merchant files they point to. Kept here (not in
// src/app) so the composition root needs one call and the variable names live next to the docs.
import { err, type Result } from '../../../domain/result';
import { validateWechatPayConfig, type WechatPayConfig } from './config';
import { certificateSerial } from './crypto';

export type Env = Readonly<Record<string, string | undefined>>;

export function wechatPayConfigFromEnv(
  env: Env,
  readText: (path: string) => string,
): Result<WechatPayConfig, string[]> {
  const problems: string[] = [];
  const read = (name: string, path: string | undefined): string | undefined => {
    if (!path) return undefined;
    try {
      return readText(path);
    } catch (e) {
      problems.push(`${name}: cannot read ${path} (${(e as Error).message})`);
      return undefined;
    }
  };
  const verifierKeys: Record<string, string> = {};
  const publicKey = read('WECHATPAY_PUBLIC_KEY_FILE', env.WECHATPAY_PUBLIC_KEY_FILE);
  if (publicKey !== undefined) {
    if (!env.WECHATPAY_PUBLIC_KEY_ID)
      problems.push('WECHATPAY_PUBLIC_KEY_ID: required with WECHATPAY_PUBLIC_KEY_FILE');
    else verifierKeys[env.WECHATPAY_PUBLIC_KEY_ID] = publicKey;
  }
  // Platform certificates carry their own serial, so only the paths are needed.
  for (const path of (env.WECHATPAY_PLATFORM_CERT_FILES ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const pem = read('WECHATPAY_PLATFORM_CERT_FILES', path);
    if (pem === undefined) continue;
    try {
      verifierKeys[certificateSerial(pem)] = pem;
    } catch (e) {
      problems.push(
        `WECHATPAY_PLATFORM_CERT_FILES: ${path} is not an X.509 certificate (${(e as Error).message})`,
      );
    }
  }
  if (!env.WECHATPAY_MERCHANT_KEY_FILE)
    problems.push('WECHATPAY_MERCHANT_KEY_FILE: required (path to apiclient_key.pem)');
  const merchantPrivateKeyPem = read('WECHATPAY_MERCHANT_KEY_FILE', env.WECHATPAY_MERCHANT_KEY_FILE);
  const apiV3Key =
    env.WECHATPAY_APIV3_KEY ?? read('WECHATPAY_APIV3_KEY_FILE', env.WECHATPAY_APIV3_KEY_FILE)?.trim();

  const validated = validateWechatPayConfig({
    mchid: env.WECHATPAY_MCHID,
    appid: env.WECHATPAY_APPID,
    merchantSerial: env.WECHATPAY_MERCHANT_SERIAL,
    merchantPrivateKeyPem,
    apiV3Key,
    verifierKeys,
    acceptSerial: env.WECHATPAY_ACCEPT_SERIAL,
    baseUrl: env.WECHATPAY_BASE_URL,
    userAgent: env.WECHATPAY_USER_AGENT,
    timeoutMs: env.WECHATPAY_TIMEOUT_MS,
  });
  if (problems.length === 0) return validated;
  return err([...problems, ...(validated.ok ? [] : validated.error)]);
}
