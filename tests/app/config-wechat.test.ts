import { describe, expect, it } from 'bun:test';
import { ConfigError, loadConfig } from '../../src/app/config';
import { DEV_PUSH_AES_KEY, DEV_PUSH_TOKEN } from '../../src/app/config-wechat';

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return [...e.problems];
  }
};

const PROD = {
  NODE_ENV: 'production',
  JWT_SECRET: 'a-real-production-secret-of-enough-length',
  WECHAT_APPID: 'wx1234567890abcdef',
  WECHAT_SECRET: 'real-app-secret',
  GATEWAY_CALLBACK_SECRET: 'real-gateway-secret-123',
  MONGODB_URI: 'mongodb://db.internal:27017/credits',
  PUBLIC_BASE_URL: 'https://pay.example.com',
};
const KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

describe('WeChat platform configuration', () => {
  it('development: safe-mode push with the sandbox’s credentials, shipping off, refresh 5 minutes early', () => {
    expect(loadConfig({}).wechatPlatform).toEqual({
      push: { token: DEV_PUSH_TOKEN, mode: 'safe', encodingAesKey: DEV_PUSH_AES_KEY },
      tokenRefreshAheadMs: 300_000,
      tokenCheckMs: 60_000,
      shipping: { enabled: false, intervalMs: 30_000 },
    });
  });

  it('production: push off unless configured; with a token it needs a key of its own and safe mode', () => {
    expect(loadConfig(PROD).wechatPlatform.push).toBeUndefined();
    expect(
      loadConfig({ ...PROD, WECHAT_PUSH_TOKEN: 'Tok3n', WECHAT_PUSH_AES_KEY: KEY }).wechatPlatform.push,
    ).toEqual({
      token: 'Tok3n',
      mode: 'safe',
      encodingAesKey: KEY,
    });
    expect(problemsOf({ ...PROD, WECHAT_PUSH_TOKEN: 'Tok3n' })).toEqual([
      'WECHAT_PUSH_AES_KEY must be the 43-character EncodingAESKey (letters and digits)',
    ]);
    expect(
      problemsOf({ ...PROD, WECHAT_PUSH_TOKEN: DEV_PUSH_TOKEN, WECHAT_PUSH_AES_KEY: DEV_PUSH_AES_KEY }),
    ).toEqual([
      'WECHAT_PUSH_TOKEN must be set to a token of your own in production',
      'WECHAT_PUSH_AES_KEY must be set to a key of your own in production',
    ]);
    expect(problemsOf({ ...PROD, WECHAT_PUSH_TOKEN: 'Tok3n', WECHAT_PUSH_MODE: 'plaintext' })).toEqual([
      'WECHAT_PUSH_MODE=plaintext is refused in production: use 安全模式 and WECHAT_PUSH_AES_KEY',
    ]);
  });

  it('plaintext mode in development; bad values name their variable', () => {
    expect(loadConfig({ WECHAT_PUSH_MODE: 'plaintext' }).wechatPlatform.push).toEqual({
      token: DEV_PUSH_TOKEN,
      mode: 'plaintext',
    });
    const problems = problemsOf({
      WECHAT_PUSH_TOKEN: 'a b',
      WECHAT_PUSH_AES_KEY: 'short',
      SHIPPING_UPLOAD: 'yes',
      SHIPPING_MCHID: 'x',
      WECHAT_TOKEN_REFRESH_AHEAD_SECONDS: '0',
    });
    for (const name of [
      'WECHAT_PUSH_TOKEN',
      'WECHAT_PUSH_AES_KEY',
      'SHIPPING_UPLOAD',
      'SHIPPING_MCHID',
      'WECHAT_TOKEN_REFRESH_AHEAD_SECONDS',
    ])
      expect(problems.some((p) => p.startsWith(name))).toBe(true);
  });

  it('SHIPPING_UPLOAD=on with its interval and merchant id', () => {
    expect(
      loadConfig({ SHIPPING_UPLOAD: 'on', SHIPPING_INTERVAL_SECONDS: '5', SHIPPING_MCHID: '1900000109' })
        .wechatPlatform.shipping,
    ).toEqual({ enabled: true, intervalMs: 5000, mchid: '1900000109' });
  });
});
