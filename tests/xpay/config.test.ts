import { describe, expect, it } from 'bun:test';
import { memoryRepositories } from '../../src/adapters/memory';
import { MemorySessionKeys } from '../../src/adapters/memory/session-keys';
import { DEV_XPAY, xpayConfigFromEnv } from '../../src/adapters/payment/xpay';
import { loadConfig } from '../../src/app/config';
import { xpayProvider } from '../../src/app/xpay';

const api = { post: async () => ({ kind: 'unknown', reason: 'network', detail: 'unused' }) as const };

describe('xpay configuration', () => {
  it('runs locally on the shared development defaults, sandbox env', () => {
    expect(xpayConfigFromEnv({}, false)).toEqual({
      ok: true,
      value: { env: 1, offerId: DEV_XPAY.offerId, appKey: DEV_XPAY.appKeySandbox },
    });
    expect(xpayConfigFromEnv({ XPAY_ENV: '0' }, false)).toMatchObject({
      ok: true,
      value: { appKey: DEV_XPAY.appKeyLive },
    });
  });

  it('production: live env by default, offerId and the AppKey of the env required, dev keys refused', () => {
    const r = xpayConfigFromEnv({}, true);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.join('\n')).toContain('XPAY_OFFER_ID');
    expect(!r.ok && r.error.join('\n')).toContain('XPAY_APPKEY_LIVE');
    expect(xpayConfigFromEnv({ XPAY_OFFER_ID: '1', XPAY_APPKEY_LIVE: DEV_XPAY.appKeyLive }, true).ok).toBe(
      false,
    );
    expect(xpayConfigFromEnv({ XPAY_OFFER_ID: '1', XPAY_APPKEY_LIVE: 'a-real-appkey-123' }, true)).toEqual({
      ok: true,
      value: { env: 0, offerId: '1', appKey: 'a-real-appkey-123' },
    });
    expect(xpayConfigFromEnv({ XPAY_ENV: '2' }, false).ok).toBe(false);
  });

  it('SESSION_KEY_SECRET is required in production and must be 32 bytes; the push must be configured', () => {
    const repos = { ...memoryRepositories(), sessionKeys: new MemorySessionKeys() };
    const prodEnv = {
      NODE_ENV: 'production',
      PAYMENT_PROVIDER: 'xpay',
      XPAY_OFFER_ID: '1450000001',
      XPAY_APPKEY_LIVE: 'a-real-appkey-123',
    };
    const config = { ...loadConfig({ PAYMENT_PROVIDER: 'xpay' }), env: 'production' as const };
    expect(() => xpayProvider(config, prodEnv, repos, api)).toThrow('SESSION_KEY_SECRET');
    expect(() => xpayProvider(config, { ...prodEnv, SESSION_KEY_SECRET: 'c2hvcnQ=' }, repos, api)).toThrow(
      '32',
    );
    const secret = Buffer.alloc(32, 9).toString('base64');
    expect(xpayProvider(config, { ...prodEnv, SESSION_KEY_SECRET: secret }, repos, api).xpay.env).toBe(0);
    const noPush = { ...config, wechatPlatform: { ...config.wechatPlatform, push: undefined } };
    expect(() => xpayProvider(noPush, { ...prodEnv, SESSION_KEY_SECRET: secret }, repos, api)).toThrow(
      'WECHAT_PUSH_TOKEN',
    );
  });
});
