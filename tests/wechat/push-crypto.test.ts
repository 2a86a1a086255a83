import { describe, expect, it } from 'bun:test';
import fc from 'fast-check';
import { encodePush, isAcknowledged } from '../../src/adapters/sandbox/wechat-push';
import { createPushVerifier } from '../../src/adapters/wechat/push';
import {
  aesKeyOf,
  decryptPush,
  encryptPush,
  pushSignature,
  sameSignature,
} from '../../src/adapters/wechat/push-crypto';
import { AES_KEY, APPID, ENCRYPTED_REPLY, GET_VERIFY, PLAIN_POST, SAFE_POST, TOKEN } from './push-vectors';

const key = aesKeyOf(AES_KEY);

describe('message-push signatures (official known answers)', () => {
  it('URL verification: sha1 of the sorted token, timestamp, nonce', () => {
    expect(pushSignature([TOKEN, GET_VERIFY.timestamp, GET_VERIFY.nonce])).toBe(GET_VERIFY.signature);
  });
  it('plaintext POST signature', () => {
    expect(pushSignature([TOKEN, PLAIN_POST.timestamp, PLAIN_POST.nonce])).toBe(PLAIN_POST.signature);
  });
  it('safe-mode msg_signature covers the ciphertext; signature does not', () => {
    expect(pushSignature([TOKEN, SAFE_POST.timestamp, SAFE_POST.nonce, SAFE_POST.encrypt])).toBe(
      SAFE_POST.msgSignature,
    );
    expect(pushSignature([TOKEN, SAFE_POST.timestamp, SAFE_POST.nonce])).toBe(SAFE_POST.signature);
  });
  it('encrypted reply: Encrypt and MsgSignature', () => {
    const encrypted = encryptPush(key, ENCRYPTED_REPLY.message, APPID, Buffer.from(ENCRYPTED_REPLY.random));
    expect(encrypted).toBe(ENCRYPTED_REPLY.encrypt);
    expect(pushSignature([TOKEN, ENCRYPTED_REPLY.timestamp, ENCRYPTED_REPLY.nonce, encrypted])).toBe(
      ENCRYPTED_REPLY.msgSignature,
    );
  });
  it('compares signatures in constant time, ignoring hex case', () => {
    expect(sameSignature(GET_VERIFY.signature, GET_VERIFY.signature.toUpperCase())).toBe(true);
    expect(sameSignature(GET_VERIFY.signature, GET_VERIFY.signature.slice(1))).toBe(false);
  });
});

describe('safe-mode decryption (official known answer)', () => {
  it('decrypts the example: msg_len 167, 19 bytes of 32-byte PKCS#7 padding, our appid at the end', () => {
    const raw = Buffer.from(SAFE_POST.encrypt, 'base64');
    expect(raw.length).toBe(224);
    const plain = decryptPush(key, SAFE_POST.encrypt);
    expect(plain).toEqual({ ok: true, message: SAFE_POST.message, appid: APPID });
    expect(Buffer.byteLength(SAFE_POST.message)).toBe(167);
  });
  it('re-encrypting with the example random reproduces the ciphertext byte for byte', () => {
    expect(encryptPush(key, SAFE_POST.message, APPID, Buffer.from(SAFE_POST.random))).toBe(SAFE_POST.encrypt);
  });
  it('the sandbox encoder produces the official safe-mode request', () => {
    const message = JSON.parse(SAFE_POST.message) as object;
    const { query, body } = encodePush(
      message,
      { token: TOKEN, encodingAesKey: AES_KEY, appid: APPID },
      {
        safeMode: true,
        timestamp: SAFE_POST.timestamp,
        nonce: SAFE_POST.nonce,
        random16: Buffer.from(SAFE_POST.random),
      },
    );
    expect(query).toEqual({
      signature: SAFE_POST.signature,
      timestamp: SAFE_POST.timestamp,
      nonce: SAFE_POST.nonce,
      openid: SAFE_POST.openid,
      encrypt_type: 'aes',
      msg_signature: SAFE_POST.msgSignature,
    });
    expect(JSON.parse(body)).toEqual({ ToUserName: 'gh_97417a04a28d', Encrypt: SAFE_POST.encrypt });
  });
  it('the verifier accepts the official request and refuses it under another appid', () => {
    const q = {
      signature: SAFE_POST.signature,
      timestamp: SAFE_POST.timestamp,
      nonce: SAFE_POST.nonce,
      encrypt_type: 'aes',
      msg_signature: SAFE_POST.msgSignature,
    };
    const raw = JSON.stringify({ ToUserName: 'gh_97417a04a28d', Encrypt: SAFE_POST.encrypt });
    const ours = createPushVerifier({ token: TOKEN, encodingAesKey: AES_KEY, appid: APPID });
    const verified = ours.verify(q, raw);
    expect(verified.ok && verified.push.message).toEqual(JSON.parse(SAFE_POST.message));
    const theirs = createPushVerifier({ token: TOKEN, encodingAesKey: AES_KEY, appid: 'wx0000000000000000' });
    expect(theirs.verify(q, raw)).toEqual({ ok: false, reason: 'wrong_appid' });
  });
  it("Node's 16-byte auto padding would refuse the official example (why it is off)", async () => {
    const { createDecipheriv } = await import('node:crypto');
    const d = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    expect(() => Buffer.concat([d.update(Buffer.from(SAFE_POST.encrypt, 'base64')), d.final()])).toThrow();
  });
  it('refuses broken ciphertext, padding and length fields', () => {
    expect(decryptPush(key, '')).toEqual({ ok: false, reason: 'ciphertext length' });
    expect(decryptPush(key, Buffer.alloc(48).toString('base64'))).toEqual({
      ok: false,
      reason: 'ciphertext length',
    });
    // Valid blocks with garbage inside: the padding byte is what gives it away.
    const other = aesKeyOf('B'.repeat(43));
    expect(decryptPush(other, SAFE_POST.encrypt).ok).toBe(false);
  });
});

describe('encrypt/decrypt round trip (property)', () => {
  it('returns any message — multi-byte UTF-8 and emoji included — and the appid intact', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.stringMatching(/^wx[0-9a-f]{16}$/),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.stringMatching(/^[A-Za-z0-9]{43}$/),
        (message, appid, random, encodingAesKey) => {
          const k = aesKeyOf(encodingAesKey);
          const encrypted = encryptPush(k, message, appid, Buffer.from(random));
          expect(Buffer.from(encrypted, 'base64').length % 32).toBe(0);
          expect(decryptPush(k, encrypted)).toEqual({
            ok: true,
            message: Buffer.from(message, 'utf8').toString('utf8'),
            appid,
          });
        },
      ),
      { numRuns: 300 },
    );
  });
  it('encodePush and the verifier agree for any JSON object, in both modes', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.oneof(fc.string(), fc.integer())),
        fc.boolean(),
        fc.integer({ min: 1_000_000_000, max: 2_000_000_000 }),
        fc.stringMatching(/^[0-9]{1,10}$/),
        (message, safeMode, ts, nonce) => {
          const creds = { token: TOKEN, encodingAesKey: AES_KEY, appid: APPID };
          const { query, body } = encodePush(message, creds, { safeMode, timestamp: String(ts), nonce });
          const verifier = createPushVerifier(
            safeMode
              ? { token: TOKEN, encodingAesKey: AES_KEY, appid: APPID }
              : { token: TOKEN, appid: APPID },
          );
          const verified = verifier.verify(query, body);
          expect(verified.ok && verified.push.message).toEqual(JSON.parse(JSON.stringify(message)));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('what WeChat takes as acknowledged', () => {
  const creds = { token: TOKEN, encodingAesKey: AES_KEY, appid: APPID };
  it('success, empty, ErrCode 0 — plain or encrypted — on HTTP 200 only', () => {
    expect(isAcknowledged(200, 'success', creds)).toBe(true);
    expect(isAcknowledged(200, '', creds)).toBe(true);
    expect(isAcknowledged(200, '{"ErrCode":0,"ErrMsg":"success"}', creds)).toBe(true);
    expect(isAcknowledged(200, '{"ErrCode":1,"ErrMsg":"x"}', creds)).toBe(false);
    expect(isAcknowledged(500, 'success', creds)).toBe(false);
    const verifier = createPushVerifier({ token: TOKEN, encodingAesKey: AES_KEY, appid: APPID });
    const push = { message: {}, timestamp: '1', nonce: '2', signature: 'x', encrypted: true };
    expect(
      isAcknowledged(200, verifier.reply(push, '{"ErrCode":0,"ErrMsg":"ok"}', '1713424427'), creds),
    ).toBe(true);
    expect(isAcknowledged(200, verifier.reply(push, '{"ErrCode":7}', '1713424427'), creds)).toBe(false);
  });
});
