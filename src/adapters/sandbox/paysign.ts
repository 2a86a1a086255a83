import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';

/** The merchant key pair the sandbox signs paySign with (WeChat's merchant API key in production). */
export interface MerchantKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/** From a PEM (PKCS#8 or PKCS#1), or a fresh RSA-2048 pair: signatures only need to survive one run. */
export function merchantKey(pem?: string): MerchantKey {
  if (pem) {
    const privateKey = createPrivateKey(pem);
    return { privateKey, publicKey: createPublicKey(privateKey) };
  }
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

/** WeChat's message: four lines, each ending in \n including the last (wechatpay-v3.md §2). */
const message = (appId: string, timeStamp: string, nonceStr: string, pkg: string) =>
  `${appId}\n${timeStamp}\n${nonceStr}\n${pkg}\n`;

/** base64 SHA256withRSA (PKCS#1 v1.5) — what the mini-program passes to wx.requestPayment. */
export function paySign(
  key: MerchantKey,
  appId: string,
  timeStamp: string,
  nonceStr: string,
  pkg: string,
): string {
  return sign('sha256', Buffer.from(message(appId, timeStamp, nonceStr, pkg)), key.privateKey).toString(
    'base64',
  );
}

export function verifyPaySign(
  key: MerchantKey,
  p: { appId: string; timeStamp: string; nonceStr: string; package: string; paySign: string },
): boolean {
  try {
    const sig = Buffer.from(p.paySign, 'base64');
    return verify(
      'sha256',
      Buffer.from(message(p.appId, p.timeStamp, p.nonceStr, p.package)),
      key.publicKey,
      sig,
    );
  } catch {
    return false;
  }
}

/** 32 chars of [0-9A-Z], like WeChat's examples. */
export function nonceStr(): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return Array.from(randomBytes(32), (b) => alphabet[b % 36]).join('');
}

/** Decimal digits from a CSPRNG (transaction and prepay ids look like WeChat's). */
export function digits(n: number): string {
  return Array.from(randomBytes(n), (b) => String(b % 10)).join('');
}
