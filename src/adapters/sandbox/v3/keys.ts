// Merchant + WeChat Pay identities for the simulator, and a CLI writing them to files so the API
// can be configured against the simulator exactly as against WeChat:
//   bun src/adapters/sandbox/v3/keys.ts <dir>     (keeps existing files; prints the env to use)
import { generateKeyPairSync, randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface MerchantIdentity {
  readonly mchid: string;
  readonly appid: string;
  readonly merchantSerial: string;
  readonly merchantPrivateKeyPem: string;
  /** Real WeChat reads it from the merchant certificate; the simulator is simply given it. */
  readonly merchantPublicKeyPem: string;
  readonly apiV3Key: string;
}

/** A key WeChat signs with: `PUB_KEY_ID_…` + SPKI PEM, or a platform certificate serial + cert PEM. */
export interface WechatpaySigningKey {
  readonly serial: string;
  readonly privateKeyPem: string;
  readonly publicPem: string;
}

const rsaPair = () =>
  generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join('');
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function generateMerchant(
  overrides: Partial<Pick<MerchantIdentity, 'mchid' | 'appid'>> = {},
): MerchantIdentity {
  const { publicKey, privateKey } = rsaPair();
  return {
    mchid: overrides.mchid ?? `16${digits(8)}`,
    appid: overrides.appid ?? `wx${randomBytes(8).toString('hex')}`,
    merchantSerial: randomBytes(20).toString('hex').toUpperCase(),
    merchantPrivateKeyPem: privateKey,
    merchantPublicKeyPem: publicKey,
    apiV3Key: Array.from({ length: 32 }, () => ALNUM[randomInt(ALNUM.length)]).join(''),
  };
}

export function generateWechatpayKey(): WechatpaySigningKey {
  const { publicKey, privateKey } = rsaPair();
  return { serial: `PUB_KEY_ID_${digits(34)}`, privateKeyPem: privateKey, publicPem: publicKey };
}

const FILES = {
  merchantKey: 'apiclient_key.pem',
  merchantPub: 'apiclient_pub.pem',
  wechatpayPub: 'pub_key.pem',
  wechatpayKey: 'wechatpay_private_key.pem', // simulator only: never exists on a real merchant's disk
  json: 'merchant.json',
  env: 'wechatpay.env',
};

export function writeIdentity(dir: string, m: MerchantIdentity, w: WechatpaySigningKey): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const put = (name: string, text: string) => writeFileSync(join(dir, name), text, { mode: 0o600 });
  put(FILES.merchantKey, m.merchantPrivateKeyPem);
  put(FILES.merchantPub, m.merchantPublicKeyPem);
  put(FILES.wechatpayPub, w.publicPem);
  put(FILES.wechatpayKey, w.privateKeyPem);
  const { mchid, appid, merchantSerial, apiV3Key } = m;
  put(
    FILES.json,
    `${JSON.stringify({ mchid, appid, merchantSerial, apiV3Key, publicKeyId: w.serial }, null, 2)}\n`,
  );
  const abs = resolve(dir);
  put(
    FILES.env,
    [
      'PAYMENT_PROVIDER=wechatpay',
      `WECHATPAY_MCHID=${mchid}`,
      `WECHATPAY_APPID=${appid}`,
      `WECHATPAY_MERCHANT_SERIAL=${merchantSerial}`,
      `WECHATPAY_MERCHANT_KEY_FILE=${join(abs, FILES.merchantKey)}`,
      `WECHATPAY_APIV3_KEY=${apiV3Key}`,
      `WECHATPAY_PUBLIC_KEY_FILE=${join(abs, FILES.wechatpayPub)}`,
      `WECHATPAY_PUBLIC_KEY_ID=${w.serial}`,
      'WECHATPAY_BASE_URL=http://127.0.0.1:8081',
      '',
    ].join('\n'),
  );
}

export function readIdentity(dir: string): { merchant: MerchantIdentity; wechatpay: WechatpaySigningKey } {
  const get = (name: string) => readFileSync(join(dir, name), 'utf8');
  const j = JSON.parse(get(FILES.json)) as Record<string, string>;
  return {
    merchant: {
      mchid: j.mchid!,
      appid: j.appid!,
      merchantSerial: j.merchantSerial!,
      apiV3Key: j.apiV3Key!,
      merchantPrivateKeyPem: get(FILES.merchantKey),
      merchantPublicKeyPem: get(FILES.merchantPub),
    },
    wechatpay: {
      serial: j.publicKeyId!,
      privateKeyPem: get(FILES.wechatpayKey),
      publicPem: get(FILES.wechatpayPub),
    },
  };
}

/** Reads the identity in `dir`, creating it first when absent — shared by the CLI and the sandbox. */
export function ensureIdentity(dir: string): { merchant: MerchantIdentity; wechatpay: WechatpaySigningKey } {
  if (!existsSync(join(dir, FILES.json))) writeIdentity(dir, generateMerchant(), generateWechatpayKey());
  return readIdentity(dir);
}

if (import.meta.main) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: bun src/adapters/sandbox/v3/keys.ts <dir>');
    process.exit(2);
  }
  ensureIdentity(dir);
  process.stdout.write(readFileSync(join(dir, FILES.env), 'utf8'));
}
