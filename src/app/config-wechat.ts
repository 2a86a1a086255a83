/** WeChat platform settings beyond login: message push, the shared access_token, shipping uploads. */
export interface WechatPlatformConfig {
  /** Message push (`/api/wechat/push`); absent = the endpoint answers 404. */
  readonly push?: {
    readonly token: string;
    /** `safe` (安全模式, the default and the only mode production accepts) or `plaintext` (明文). */
    readonly mode: 'safe' | 'plaintext';
    /** The EncodingAESKey; set in safe mode. */
    readonly encodingAesKey?: string;
  };
  /** Refresh the shared access_token when less than this is left (WeChat rotates 5 minutes early). */
  readonly tokenRefreshAheadMs: number;
  /** How often each instance looks whether the shared token needs refreshing (0 = only when used). */
  readonly tokenCheckMs: number;
  /** Upload 发货信息 for credited WeChat Pay orders (SHIPPING_UPLOAD). */
  readonly shipping: {
    readonly enabled: boolean;
    readonly intervalMs: number;
    /** For orders without a transaction id: `order_number_type` 1 needs the merchant id. */
    readonly mchid?: string;
  };
}

// Development only, and public: production refuses them. The sandbox signs with the same pair.
import { DEV_PUSH_AES_KEY, DEV_PUSH_TOKEN } from '../adapters/sandbox/wechat-push';

export { DEV_PUSH_AES_KEY, DEV_PUSH_TOKEN };

type Env = Readonly<Record<string, string | undefined>>;

const PUSH_TOKEN = /^[A-Za-z0-9]{3,32}$/;
const AES_KEY = /^[A-Za-z0-9]{43}$/;

export function loadWechatPlatformConfig(env: Env, prod: boolean, problems: string[]): WechatPlatformConfig {
  const str = (name: string, fallback: string) => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? fallback : v;
  };
  const int = (name: string, fallback: number, min: number, max: number) => {
    const raw = str(name, String(fallback));
    const n = Number(raw);
    if (/^\d+$/.test(raw) && n >= min && n <= max) return n;
    problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
    return fallback;
  };
  const token = str('WECHAT_PUSH_TOKEN', prod ? '' : DEV_PUSH_TOKEN);
  const mode = str('WECHAT_PUSH_MODE', 'safe');
  const aesKey = str('WECHAT_PUSH_AES_KEY', prod ? '' : DEV_PUSH_AES_KEY);
  let push: WechatPlatformConfig['push'];
  if (mode !== 'safe' && mode !== 'plaintext')
    problems.push(`WECHAT_PUSH_MODE must be safe or plaintext, got "${mode}"`);
  if (token !== '') {
    if (!PUSH_TOKEN.test(token)) problems.push('WECHAT_PUSH_TOKEN must be 3 to 32 letters or digits');
    if (prod && token === DEV_PUSH_TOKEN)
      problems.push('WECHAT_PUSH_TOKEN must be set to a token of your own in production');
    if (prod && mode === 'plaintext')
      // A plaintext push's body is covered by no signature: anyone who saw one request could swap it.
      problems.push(
        'WECHAT_PUSH_MODE=plaintext is refused in production: use 安全模式 and WECHAT_PUSH_AES_KEY',
      );
    if (mode === 'safe') {
      if (!AES_KEY.test(aesKey))
        problems.push('WECHAT_PUSH_AES_KEY must be the 43-character EncodingAESKey (letters and digits)');
      else if (prod && aesKey === DEV_PUSH_AES_KEY)
        problems.push('WECHAT_PUSH_AES_KEY must be set to a key of your own in production');
    }
    push = mode === 'plaintext' ? { token, mode } : { token, mode: 'safe', encodingAesKey: aesKey };
  }
  const shippingFlag = str('SHIPPING_UPLOAD', 'off');
  if (!['on', 'off'].includes(shippingFlag))
    problems.push(`SHIPPING_UPLOAD must be on or off, got "${shippingFlag}"`);
  const mchid = str('SHIPPING_MCHID', '');
  if (mchid !== '' && !/^\d{6,32}$/.test(mchid))
    problems.push('SHIPPING_MCHID must be a WeChat Pay merchant id');
  return {
    ...(push ? { push } : {}),
    tokenRefreshAheadMs: int('WECHAT_TOKEN_REFRESH_AHEAD_SECONDS', 300, 1, 3600) * 1000,
    tokenCheckMs: int('WECHAT_TOKEN_CHECK_SECONDS', 60, 0, 3600) * 1000,
    shipping: {
      enabled: shippingFlag === 'on',
      intervalMs: int('SHIPPING_INTERVAL_SECONDS', 30, 1, 3600) * 1000,
      ...(mchid ? { mchid } : {}),
    },
  };
}
