import type { PushMessage, PushRejection, PushVerifier, VerifiedPush } from '../../domain/push';
import { aesKeyOf, decryptPush, encryptPush, pushSignature, sameSignature } from './push-crypto';

export interface PushSecurityOptions {
  /** The Token of MP admin → 开发管理 → 消息推送配置. */
  readonly token: string;
  /**
   * The EncodingAESKey (43 chars). When set, only safe-mode (encrypted) pushes are accepted; when
   * absent, only plaintext ones — whose body no signature covers, so production requires the key.
   */
  readonly encodingAesKey?: string;
  /** Our mini program's appid: the tail of every decrypted message must name it. */
  readonly appid: string;
}

type Query = Readonly<Record<string, string | undefined>>;

const fail = (reason: PushRejection) => ({ ok: false as const, reason });

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** WeChat message-push security (brief §6): URL verification, signatures, safe-mode decryption. JSON format. */
export function createPushVerifier(opts: PushSecurityOptions): PushVerifier {
  const key = opts.encodingAesKey === undefined ? null : aesKeyOf(opts.encodingAesKey);
  const signedBy = (q: Query, name: 'signature' | 'msg_signature') => {
    const { timestamp, nonce } = q;
    const signature = q[name];
    return timestamp && nonce && signature ? { timestamp, nonce, signature } : null;
  };

  return {
    verifyUrl(q) {
      const s = signedBy(q, 'signature');
      if (!s || q.echostr === undefined) return null;
      return sameSignature(pushSignature([opts.token, s.timestamp, s.nonce]), s.signature) ? q.echostr : null;
    },

    verify(q, raw) {
      if (key === null) {
        // Plaintext mode (development only): the signature covers token, timestamp and nonce.
        const s = signedBy(q, 'signature');
        if (!s) return fail('missing_parameters');
        if (!sameSignature(pushSignature([opts.token, s.timestamp, s.nonce]), s.signature))
          return fail('bad_signature');
        const message = parseObject(raw);
        if (!message) return fail('malformed_body');
        return { ok: true, push: { message, ...s, encrypted: false } };
      }
      // Safe mode: msg_signature covers the ciphertext too; `signature` alone proves nothing about the body.
      if (q.encrypt_type !== 'aes' || !q.msg_signature) return fail('not_encrypted');
      const s = signedBy(q, 'msg_signature');
      if (!s) return fail('missing_parameters');
      const envelope = parseObject(raw);
      const encrypted = envelope?.Encrypt;
      if (typeof encrypted !== 'string' || encrypted === '') return fail('malformed_body');
      if (!sameSignature(pushSignature([opts.token, s.timestamp, s.nonce, encrypted]), s.signature))
        return fail('bad_signature');
      const plain = decryptPush(key, encrypted);
      if (!plain.ok) return fail('bad_ciphertext');
      if (plain.appid !== opts.appid) return fail('wrong_appid');
      const message: PushMessage | null = parseObject(plain.message);
      if (!message) return fail('malformed_body');
      return { ok: true, push: { message, ...s, encrypted: true } };
    },

    reply(push: VerifiedPush, plain: string, timestamp: string): string {
      if (!push.encrypted || key === null) return plain;
      const encrypted = encryptPush(key, plain, opts.appid);
      return JSON.stringify({
        Encrypt: encrypted,
        MsgSignature: pushSignature([opts.token, timestamp, push.nonce, encrypted]),
        TimeStamp: Number(timestamp),
        Nonce: push.nonce,
      });
    },
  };
}
