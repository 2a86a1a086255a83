// XPAY_* variables, validated once at start (kept next to the adapter, as WECHATPAY_* is).
import { err, ok, type Result } from '../../../domain/result';

/** Development defaults shared with the sandbox, so `PAYMENT_PROVIDER=xpay npm start` needs no settings. */
export const DEV_XPAY = {
  offerId: '1450000000',
  appKeyLive: 'dev-xpay-appkey-live',
  appKeySandbox: 'dev-xpay-appkey-sandbox',
} as const;

export interface XpayConfig {
  /** 0 = 现网 (live), 1 = 沙箱 (sandbox): in every signData, server-API body and push. */
  readonly env: 0 | 1;
  readonly offerId: string;
  /** The AppKey of `env` (WeChat: "env = 0对应现网AppKey，env = 1对应沙箱AppKey"). */
  readonly appKey: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export function xpayConfigFromEnv(env: Env, production: boolean): Result<XpayConfig, string[]> {
  const problems: string[] = [];
  const get = (name: string) => env[name]?.trim() || undefined;
  const rawEnv = get('XPAY_ENV') ?? (production ? '0' : '1');
  if (rawEnv !== '0' && rawEnv !== '1')
    problems.push(`XPAY_ENV must be 0 (live) or 1 (sandbox), got "${rawEnv}"`);
  const xpayEnv = rawEnv === '1' ? 1 : 0;
  const offerId = get('XPAY_OFFER_ID') ?? (production ? '' : DEV_XPAY.offerId);
  if (!/^\d{1,32}$/.test(offerId))
    problems.push('XPAY_OFFER_ID must be the offerId from 虚拟支付 → 基础配置 (digits)');
  const keyName = xpayEnv === 0 ? 'XPAY_APPKEY_LIVE' : 'XPAY_APPKEY_SANDBOX';
  const dev = xpayEnv === 0 ? DEV_XPAY.appKeyLive : DEV_XPAY.appKeySandbox;
  const appKey = get(keyName) ?? (production ? '' : dev);
  if (production && (appKey === '' || appKey === dev))
    problems.push(`${keyName} must be set to the AppKey from 虚拟支付 → 基础配置 in production`);
  else if (appKey.length < 8) problems.push(`${keyName} must be at least 8 characters`);
  if (problems.length > 0) return err(problems);
  return ok({ env: xpayEnv, offerId, appKey });
}
