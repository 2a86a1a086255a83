import { describe, expect, it } from 'bun:test';
import { validateWechatPayConfig, wechatPayConfigFromEnv } from '../../src/adapters/payment/wechatpay';
import { fixture } from './fixtures';

const good = {
  mchid: '1230000109',
  appid: 'wxd678efh567hg6787',
  merchantSerial: '3775b6a45acd588826d15e583a95f5dd12345678',
  merchantPrivateKeyPem: fixture('merchant_key.pem'),
  apiV3Key: '0123456789abcdefABCDEF0123456789',
  verifierKeys: { PUB_KEY_ID_0000000000000024101100397200000006: fixture('wechatpay_pub.pem') },
};

describe('validateWechatPayConfig', () => {
  it('accepts a valid configuration and fills the defaults', () => {
    const r = validateWechatPayConfig(good);
    expect(r.ok && r.value).toMatchObject({
      merchantSerial: '3775B6A45ACD588826D15E583A95F5DD12345678',
      acceptSerial: 'PUB_KEY_ID_0000000000000024101100397200000006',
      baseUrl: 'https://api.mch.weixin.qq.com',
      timeoutMs: 10_000,
    });
  });

  it('lists every problem with a clear message', () => {
    const r = validateWechatPayConfig({
      mchid: 'abc',
      appid: 'app',
      merchantSerial: 'xyz',
      merchantPrivateKeyPem: fixture('wechatpay_pub.pem'),
      apiV3Key: 'short',
      verifierKeys: { 'bad serial': 'x', ABCDEF: fixture('platform_cert.pem') },
    });
    const text = r.ok ? '' : r.error.join('\n');
    for (const field of [
      'mchid:',
      'appid:',
      'merchantSerial:',
      'merchantPrivateKey:',
      'apiV3Key:',
      'verifierKeys: "bad serial"',
      "certificate's serial",
    ])
      expect(text).toContain(field);
  });
});

describe('wechatPayConfigFromEnv', () => {
  const files: Record<string, string> = {
    '/k/apiclient_key.pem': fixture('merchant_key.pem'),
    '/k/pub_key.pem': fixture('wechatpay_pub.pem'),
    '/k/cert.pem': fixture('platform_cert.pem'),
  };
  const read = (p: string) => {
    const f = files[p];
    if (f === undefined) throw new Error('ENOENT');
    return f;
  };

  it('reads the key files and keys platform certificates by their own serial', () => {
    const r = wechatPayConfigFromEnv(
      {
        WECHATPAY_MCHID: good.mchid,
        WECHATPAY_APPID: good.appid,
        WECHATPAY_MERCHANT_SERIAL: good.merchantSerial,
        WECHATPAY_MERCHANT_KEY_FILE: '/k/apiclient_key.pem',
        WECHATPAY_APIV3_KEY: good.apiV3Key,
        WECHATPAY_PUBLIC_KEY_FILE: '/k/pub_key.pem',
        WECHATPAY_PUBLIC_KEY_ID: 'PUB_KEY_ID_0000000000000024101100397200000006',
        WECHATPAY_PLATFORM_CERT_FILES: '/k/cert.pem',
        WECHATPAY_BASE_URL: 'http://127.0.0.1:8081/',
      },
      read,
    );
    expect(r.ok && Object.keys(r.value.verifierKeys).sort()).toEqual([
      fixture('platform_cert.serial'),
      'PUB_KEY_ID_0000000000000024101100397200000006',
    ]);
    expect(r.ok && r.value.baseUrl).toBe('http://127.0.0.1:8081');
  });

  it('names the unreadable file', () => {
    const r = wechatPayConfigFromEnv({ WECHATPAY_MERCHANT_KEY_FILE: '/k/missing.pem' }, read);
    expect(r.ok ? '' : r.error.join('\n')).toContain(
      'WECHATPAY_MERCHANT_KEY_FILE: cannot read /k/missing.pem',
    );
  });
});
