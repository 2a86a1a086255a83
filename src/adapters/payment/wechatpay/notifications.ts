// The PaymentNotifications port: authenticate the raw callback, then decrypt and cross-check it.
// Order matters: nothing is parsed before the signature over the exact received bytes verifies.
import type { NotificationError, PaymentEvent, PaymentNotifications } from '../../../domain/payment';
import type { Clock } from '../../../domain/ports';
import { err, ok, type Result } from '../../../domain/result';
import type { WechatPayConfig } from './config';
import { aeadDecrypt } from './crypto';
import { toTradeStatus } from './mapping';
import type { Verifier } from './verifier';

const invalid = (message: string): Result<never, NotificationError> =>
  err({ kind: 'notification_invalid', message });
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

export function createWechatPayNotifications(
  config: WechatPayConfig,
  verifier: Verifier,
  deps: { clock: Clock },
): PaymentNotifications {
  return {
    verify(headers, rawBody) {
      const checked = verifier.verify(headers, rawBody, deps.clock.now().getTime() / 1000);
      if (!checked.ok) return err({ kind: 'notification_unauthenticated', message: checked.error.message });

      const envelope = parseObject(rawBody);
      if (!envelope) return invalid('body is not a JSON object');
      // Refund events (REFUND.*) are not payment events: refunds are followed by querying.
      if (envelope.event_type !== 'TRANSACTION.SUCCESS')
        return invalid(`unsupported event_type ${String(envelope.event_type)}`);
      const res = envelope.resource;
      if (envelope.resource_type !== 'encrypt-resource' || !isObject(res))
        return invalid('resource is not an encrypt-resource');
      if (res.algorithm !== 'AEAD_AES_256_GCM')
        return invalid(`unsupported algorithm ${String(res.algorithm)}`);
      const { nonce, ciphertext } = res;
      const aad = res.associated_data ?? ''; // documented as possibly empty
      if (typeof nonce !== 'string' || typeof ciphertext !== 'string' || typeof aad !== 'string')
        return invalid('resource nonce/ciphertext/associated_data missing');
      const plaintext = aeadDecrypt(config.apiV3Key, nonce, aad, ciphertext);
      if (plaintext === undefined) return invalid('resource does not decrypt with the APIv3 key');

      const t = parseObject(plaintext);
      if (!t) return invalid('decrypted resource is not a JSON object');
      if (t.mchid !== config.mchid) return invalid(`mchid ${String(t.mchid)} is not ours`);
      if (t.appid !== config.appid) return invalid(`appid ${String(t.appid)} is not ours`);
      if (typeof t.out_trade_no !== 'string' || t.out_trade_no === '') return invalid('out_trade_no missing');
      const status = toTradeStatus(t);
      if (typeof status === 'string') return invalid(status);
      if (status.amountFen === null) return invalid('amount missing');
      const event: PaymentEvent = {
        outTradeNo: t.out_trade_no,
        state: status.state,
        transactionId: status.transactionId,
        amountFen: status.amountFen,
        paidAt: status.paidAt,
      };
      return ok(event);
    },
  };
}

/**
 * Bodies for the app's answer to WeChat. Success is the status (200/204) alone; a failure must
 * be 4xx/5xx, because WeChat reads the status first and treats any 200 as delivered.
 */
export const notifyFailBody = (message: string): { code: 'FAIL'; message: string } => ({
  code: 'FAIL',
  message: message.slice(0, 64) || '失败',
});

/** 401 for authentication failures (WeChat retries, and probes must not see 2xx); 400 for bad content. */
export const notifyFailStatus = (e: NotificationError): 400 | 401 =>
  e.kind === 'notification_unauthenticated' ? 401 : 400;
