import { describe, expect, it } from 'bun:test';
import { readFileSync } from 'node:fs';
import { merchantKey, paySign, verifyPaySign } from '../../src/adapters/sandbox/paysign';

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/wechatpay/${name}`, import.meta.url), 'utf8');

describe('sandbox paySign', () => {
  // Known answer produced by openssl (tests/fixtures/wechatpay/README.md), not by our code.
  it('matches openssl for the documented four-line message', () => {
    const [appId, timeStamp, nonceStr, pkg] = fixture('paysign.msg').split('\n') as [
      string,
      string,
      string,
      string,
    ];
    const key = merchantKey(fixture('merchant_key.pem'));
    expect(paySign(key, appId, timeStamp, nonceStr, pkg)).toBe(fixture('paysign.sig').trim());
    expect(
      verifyPaySign(key, {
        appId,
        timeStamp,
        nonceStr,
        package: pkg,
        paySign: fixture('paysign.sig').trim(),
      }),
    ).toBe(true);
  });

  it('rejects a signature over another message or garbage', () => {
    const key = merchantKey();
    const good = paySign(key, 'wx1', '1700000000', 'N', 'prepay_id=1');
    expect(
      verifyPaySign(key, {
        appId: 'wx1',
        timeStamp: '1700000001',
        nonceStr: 'N',
        package: 'prepay_id=1',
        paySign: good,
      }),
    ).toBe(false);
    expect(
      verifyPaySign(key, {
        appId: 'wx1',
        timeStamp: '1700000000',
        nonceStr: 'N',
        package: 'prepay_id=1',
        paySign: '!!',
      }),
    ).toBe(false);
  });
});
