import { describe, expect, it } from 'bun:test';
import { apiPaySig, clientPaySig, hmacSha256Hex, userSignature } from '../../src/adapters/payment/xpay';

// Known answers from the platform brief §1.6 (official vectors and ours, recomputed there on Node and Python).
const SIGN_DATA =
  '{"offerId":"1450000000","buyQuantity":1,"env":1,"currencyType":"CNY","productId":"credits_100","goodsPrice":990,"outTradeNo":"P20250101120000abcd1234","attach":"order:100"}';

describe('xpay signatures: known answers (brief §1.6)', () => {
  it('MP pay_sig (VP-copy): AppKey over uri & body', () => {
    expect(
      apiPaySig('12345', '/xpay/query_user_balance', '{"openid": "xxx", "user_ip": "127.0.0.1", "env": 0}'),
    ).toBe('c37809f27c6d7fd1837ad2500a04512b66b34fd793a39a385fade56dca89a4b5');
  });

  it('MP signature (VP-copy): session_key string as the key, not base64-decoded', () => {
    expect(
      userSignature('9hAb/NEYUlkaMBEsmFgzig==', '{"openid": "xxx", "user_ip": "127.0.0.1", "env": 0}'),
    ).toBe('089d9e8dc5d308977360c4b79ec600a93d736802802a807d634192328032f6c7');
  });

  it('mini-game pay_sig and signature (MG-SIG): the same scheme', () => {
    const body =
      '{"offer_id": "12345678", "openid": "oUrsfxxxxxxxxxx", "ts": 1668136271, "zone_id": "1", "env": 0}';
    expect(apiPaySig('12345', '/wxa/game/getbalance', body)).toBe(
      '11bac6388871d29c055c7d16fbe42e8d646855b666faf89b15c815218b1b23bd',
    );
    expect(userSignature('9hAb/NEYUlkaMBEsmFgzig==', body)).toBe(
      '42fe1d3341fb1c8bd6f5014ba735ab04eacc80a2deb3ab4669eab4700b5b6729',
    );
  });

  it('login-state signature: key = session_key', () => {
    expect(hmacSha256Hex('o0q0otL8aEzpcZL/FT9WsQ==', '{"foo":"bar"}')).toBe(
      '654571f79995b2ce1e149e53c0a33dc39c0a74090db514261454e8dbe432aa0b',
    );
  });

  it('client paySig and signature over our example signData', () => {
    expect(clientPaySig('12345', SIGN_DATA)).toBe(
      'c7af3d6281e8a1152250b461620997b8593d1b5fc82487c9979a267a657a5770',
    );
    expect(userSignature('9hAb/NEYUlkaMBEsmFgzig==', SIGN_DATA)).toBe(
      '45452c7526451610cbc261fe44ff7d711bbe3a09c2ef8ef6390cda78fbabaa42',
    );
  });

  it('query_order pay_sig over the exact body', () => {
    expect(
      apiPaySig(
        '12345',
        '/xpay/query_order',
        '{"openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o","env":1,"order_id":"P20250101120000abcd1234"}',
      ),
    ).toBe('0d5c1f1ef71a1ad7bce0401964d7e4a9326ea37237104a0920812d9fd261b04c');
  });

  it('checksession signature: HMAC over the empty message (brief §5)', () => {
    expect(hmacSha256Hex('9hAb/NEYUlkaMBEsmFgzig==', '')).toBe(
      '1f7605aea24c0785899e51bc4c483167a20ea7b0f5f36cfd398e89cb21c91e9c',
    );
  });
});
