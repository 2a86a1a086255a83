// The PaymentNotifications port: authenticate the raw callback, then decrypt and cross-check it.
// Order matters: nothing is parsed before the signature over the exact received bytes verifies.
import { isFen } from '../../../domain/money';
import type {
  NotificationError,
  PaymentEvent,
  PaymentNotifications,
  RefundNotice,
} from '../../../domain/payment';
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

const REFUND_EVENTS: Readonly<Record<string, RefundNotice['status']>> = {
  'REFUND.SUCCESS': 'SUCCESS',
  'REFUND.ABNORMAL': 'ABNORMAL',
  'REFUND.CLOSED': 'CLOSED',
};

export function createWechatPayNotifications(
  config: WechatPayConfig,
  verifier: Verifier,
  deps: { clock: Clock },
): PaymentNotifications {
  /** Signature over the exact bytes → envelope → AEAD decryption; the event type picks the parser. */
  function open(
    headers: Headers,
    rawBody: string,
    accepts: (eventType: unknown) => boolean,
  ): Result<{ eventType: string; resource: Record<string, unknown> }, NotificationError> {
    const checked = verifier.verify(headers, rawBody, deps.clock.now().getTime() / 1000);
    if (!checked.ok) return err({ kind: 'notification_unauthenticated', message: checked.error.message });

    const envelope = parseObject(rawBody);
    if (!envelope) return invalid('body is not a JSON object');
    if (!accepts(envelope.event_type))
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
    const resource = parseObject(plaintext);
    if (!resource) return invalid('decrypted resource is not a JSON object');
    if (resource.mchid !== config.mchid) return invalid(`mchid ${String(resource.mchid)} is not ours`);
    return ok({ eventType: String(envelope.event_type), resource });
  }

  return {
    verify(headers, rawBody) {
      const opened = open(headers, rawBody, (t) => t === 'TRANSACTION.SUCCESS');
      if (!opened.ok) return opened;
      const t = opened.value.resource;
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

    // REFUND.SUCCESS / ABNORMAL / CLOSED (brief §8.3): note `refund_status`, not `status`.
    verifyRefund(headers, rawBody) {
      const opened = open(headers, rawBody, (t) => typeof t === 'string' && t in REFUND_EVENTS);
      if (!opened.ok) return opened;
      const r = opened.value.resource;
      const status = REFUND_EVENTS[opened.value.eventType];
      if (r.refund_status !== status)
        return invalid(`refund_status ${String(r.refund_status)} contradicts ${opened.value.eventType}`);
      const amount = isObject(r.amount) ? r.amount : {};
      if (typeof r.out_refund_no !== 'string' || r.out_refund_no === '')
        return invalid('out_refund_no missing');
      if (typeof r.out_trade_no !== 'string' || r.out_trade_no === '') return invalid('out_trade_no missing');
      if (typeof r.refund_id !== 'string' || r.refund_id === '') return invalid('refund_id missing');
      if (!isFen(amount.refund)) return invalid('amount.refund is not an integer number of fen');
      return ok({
        outRefundNo: r.out_refund_no,
        outTradeNo: r.out_trade_no,
        refundId: r.refund_id,
        status: status!,
        refundFen: amount.refund,
      });
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
