// How the sandbox mounts the xpay simulator: AppKeys and offerId shared with the API (the development
// defaults unless XPAY_* say otherwise), pushes signed like WeChat's to the API's message-push URL.
import { DEV_XPAY } from '../../payment/xpay/config';
import { type PushCredentials, sendPush } from '../wechat-push';
import type { XpayApiDeps } from './api';
import { createXpaySimulator } from './simulator';

type Env = Readonly<Record<string, string | undefined>>;

export interface XpaySettings {
  readonly offerId: string;
  readonly appKeys: { readonly 0: string; readonly 1: string };
  /** The URL configured in MP admin → 消息推送配置. */
  readonly pushUrl: string;
  /** 安全模式 (encrypted) unless WECHAT_PUSH_MODE=plaintext, as the API is configured. */
  readonly safeMode: boolean;
}

/** The sandbox process's xpay settings: the API of `npm start` receives the pushes unless told otherwise. */
export const xpaySettingsFromEnv = (env: Env): XpaySettings => ({
  offerId: env.XPAY_OFFER_ID ?? DEV_XPAY.offerId,
  appKeys: {
    0: env.XPAY_APPKEY_LIVE ?? DEV_XPAY.appKeyLive,
    1: env.XPAY_APPKEY_SANDBOX ?? DEV_XPAY.appKeySandbox,
  },
  pushUrl: env.SANDBOX_PUSH_URL ?? `http://localhost:${env.PORT ?? '8000'}/api/wechat/push`,
  safeMode: (env.WECHAT_PUSH_MODE ?? 'safe') !== 'plaintext',
});

export function mountXpay(
  s: XpaySettings,
  o: {
    readonly timeScale: number;
    readonly sessionKeys: ReadonlyMap<string, string>;
    readonly checkToken: XpayApiDeps['checkToken'];
    readonly push: PushCredentials;
  },
) {
  const stop = new AbortController();
  const sim = createXpaySimulator({
    offerId: s.offerId,
    appKeys: s.appKeys,
    sessionKeyOf: (openid) => o.sessionKeys.get(openid),
    checkToken: o.checkToken,
    timeScale: o.timeScale,
    send: (message, opts) =>
      sendPush(s.pushUrl, message, o.push, {
        safeMode: s.safeMode,
        retryDelaysMs: opts.retryDelaysMs,
        faults: opts.badSignature ? { badSignature: true } : {},
        signal: stop.signal,
        onAttempt: (a) => opts.onAttempt({ status: a.status, acknowledged: a.acknowledged }),
      }),
  });
  return { ...sim, stop: () => stop.abort() };
}
