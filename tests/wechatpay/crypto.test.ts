import { describe, expect, it } from 'bun:test';
import {
  aeadDecrypt,
  aeadEncrypt,
  certificateSerial,
  parsePrivateKey,
  parseVerifierKey,
  paySignMessage,
  requestMessage,
  responseMessage,
  rsaSign,
  rsaVerify,
  toBeijingRfc3339,
} from '../../src/adapters/payment/wechatpay/crypto';
import { fixture, gcmVector } from './fixtures';

const merchantKey = parsePrivateKey(fixture('merchant_key.pem'));
const merchantPub = parseVerifierKey(fixture('merchant_pub.pem'));
const wechatpayPub = parseVerifierKey(fixture('wechatpay_pub.pem'));
const platformCert = parseVerifierKey(fixture('platform_cert.pem'));

describe('request signing (openssl known answers)', () => {
  it('builds the POST message byte for byte and signs it like openssl dgst -sha256 -sign', () => {
    const msg = requestMessage(
      'POST',
      '/v3/pay/transactions/jsapi',
      '1554208460',
      '593BEC0C930BF1AFEB40B4A08C8FB242',
      fixture('request.body'),
    );
    expect(msg).toBe(fixture('request.msg'));
    expect(rsaSign(msg, merchantKey)).toBe(fixture('request.sig'));
  });

  it('signs a GET with its query string and an empty body line', () => {
    const path = '/v3/pay/transactions/out-trade-no/P20240701120000abcd1234?mchid=1230000109';
    const msg = requestMessage('GET', path, '1554208460', '593BEC0C930BF1AFEB40B4A08C8FB242', '');
    expect(msg).toBe(fixture('request-get.msg'));
    expect(rsaSign(msg, merchantKey)).toBe(fixture('request-get.sig'));
  });

  it('builds the paySign message with a trailing newline and matches openssl', () => {
    const msg = paySignMessage(
      'wxd678efh567hg6787',
      '1414561699',
      '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
      'prepay_id=wx201410272009395522657a690389285100',
    );
    expect(msg).toBe(fixture('paysign.msg'));
    expect(rsaSign(msg, merchantKey)).toBe(fixture('paysign.sig'));
    expect(rsaVerify(msg, fixture('paysign.sig'), merchantPub)).toBe(true);
  });
});

describe('response verification (openssl known answers)', () => {
  const body = '{"prepay_id":"wx201410272009395522657a690389285100"}';
  const msg = responseMessage('1554208461', '3f1d2c9a8b7e6d5c4b3a29180f1e2d3c', body);

  it('accepts the public-key signature over ts\\nnonce\\nbody\\n', () => {
    expect(msg).toBe(fixture('response.msg'));
    expect(rsaVerify(msg, fixture('response.sig'), wechatpayPub)).toBe(true);
  });

  it('accepts the empty-body (204) message', () => {
    const empty = responseMessage('1554208461', '3f1d2c9a8b7e6d5c4b3a29180f1e2d3c', '');
    expect(empty).toBe(fixture('response-204.msg'));
    expect(rsaVerify(empty, fixture('response-204.sig'), wechatpayPub)).toBe(true);
  });

  it('accepts a platform-certificate signature and reads the certificate serial', () => {
    expect(rsaVerify(msg, fixture('response-cert.sig'), platformCert)).toBe(true);
    expect(certificateSerial(fixture('platform_cert.pem'))).toBe(fixture('platform_cert.serial'));
  });

  it('rejects a wrong key, a changed body and a SIGNTEST probe without throwing', () => {
    expect(rsaVerify(msg, fixture('response.sig'), platformCert)).toBe(false);
    expect(rsaVerify(`${msg} `, fixture('response.sig'), wechatpayPub)).toBe(false);
    expect(rsaVerify(msg, 'WECHATPAY/SIGNTEST/abcdef', wechatpayPub)).toBe(false);
  });
});

describe('AEAD_AES_256_GCM (python cryptography known answer)', () => {
  const v = gcmVector();

  it('decrypts the vector and re-encrypts to the same bytes', () => {
    expect(aeadDecrypt(v.key, v.nonce, v.associated_data, v.ciphertext)).toBe(v.plaintext);
    expect(aeadEncrypt(v.key, v.nonce, v.associated_data, v.plaintext)).toBe(v.ciphertext);
  });

  it('rejects a flipped ciphertext byte, a wrong AAD, a wrong key and a truncated tag', () => {
    const raw = Buffer.from(v.ciphertext, 'base64');
    const flipped = Buffer.from(raw);
    flipped[5] = flipped[5]! ^ 1;
    expect(aeadDecrypt(v.key, v.nonce, v.associated_data, flipped.toString('base64'))).toBeUndefined();
    expect(aeadDecrypt(v.key, v.nonce, 'refund', v.ciphertext)).toBeUndefined();
    expect(aeadDecrypt(v.key.replace('0', '1'), v.nonce, v.associated_data, v.ciphertext)).toBeUndefined();
    const truncated = raw.subarray(0, raw.length - 4).toString('base64');
    expect(aeadDecrypt(v.key, v.nonce, v.associated_data, truncated)).toBeUndefined();
    expect(aeadDecrypt(v.key, v.nonce, v.associated_data, 'not base64!')).toBeUndefined();
  });
});

it('formats time_expire in +08:00 without milliseconds', () => {
  expect(toBeijingRfc3339(new Date('2024-07-01T04:30:00.987Z'))).toBe('2024-07-01T12:30:00+08:00');
});
