import { yuanToFen } from '../../../domain/money';
import type {
  NotificationError,
  PaymentEvent,
  PaymentNotifications,
  RefundNotice,
} from '../../../domain/payment';
import type { Clock } from '../../../domain/ports';
import { err, ok, type Result } from '../../../domain/result';
import { isWireTradeState, ORDER_NO_PATTERN, OUT_NO_PATTERN, REFUND_STATUSES } from './contract';
import { matchesAnySecret, parseSignatureHeader, SIGNATURE_HEADER } from './signature';

export interface GatewayNotificationsOptions {
  /** Current secret first is customary; during a rotation list both old and new. */
  readonly secrets: readonly string[];
  readonly clock: Clock;
  readonly toleranceSec?: number;
}

const unauthenticated = (message: string) =>
  err<NotificationError>({ kind: 'notification_unauthenticated', message });
const invalid = (message: string) => err<NotificationError>({ kind: 'notification_invalid', message });

/** `GatewayNotifications`: authenticates the gateway's callback, then parses the seed's body. */
export function createGatewayNotifications(opts: GatewayNotificationsOptions): PaymentNotifications {
  const secrets = opts.secrets.filter((s) => s.length > 0);
  if (secrets.length === 0) throw new Error('createGatewayNotifications: at least one non-empty secret');
  const tolerance = opts.toleranceSec ?? 300;

  /** The same HMAC for both callbacks; the body is parsed only after it verifies. */
  function authentic(headers: Headers, rawBody: string): Result<Record<string, unknown>, NotificationError> {
    const sig = parseSignatureHeader(headers.get(SIGNATURE_HEADER));
    if (!sig) return unauthenticated(`missing or malformed ${SIGNATURE_HEADER}`);
    // Window checked on both sides: a future t would otherwise stretch a captured request's life.
    const nowSec = Math.floor(opts.clock.now().getTime() / 1000);
    if (Math.abs(nowSec - sig.t) > tolerance) return unauthenticated('signature timestamp outside window');
    if (!matchesAnySecret(sig, secrets, rawBody)) return unauthenticated('signature mismatch');
    // Only reached for authentic bytes, so failures from here on are a gateway bug, not an attack. The
    // reasons are said in Chinese, as every `{detail}` is: the gateway's team and our operators read them.
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch {
      return invalid('请求体不是合法的 JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return invalid('请求体不是 JSON 对象');
    return ok(body as Record<string, unknown>);
  }

  return {
    verify(headers, rawBody) {
      const body = authentic(headers, rawBody);
      return body.ok ? parsePayment(body.value) : body;
    },
    verifyRefund(headers, rawBody) {
      const body = authentic(headers, rawBody);
      return body.ok ? parseRefund(body.value) : body;
    },
  };
}

/** docs/gateway-contract.md §7: `{out_refund_no, out_trade_no, refund_id, status, refund_fen}`. */
function parseRefund(body: Record<string, unknown>): Result<RefundNotice, NotificationError> {
  const { out_refund_no, out_trade_no, refund_id, status, refund_fen } = body;
  if (typeof out_refund_no !== 'string' || !OUT_NO_PATTERN.test(out_refund_no))
    return invalid('out_refund_no 格式不正确');
  if (typeof out_trade_no !== 'string' || !ORDER_NO_PATTERN.test(out_trade_no))
    return invalid('out_trade_no 格式不正确');
  if (typeof refund_id !== 'string' || refund_id === '' || refund_id.length > 64)
    return invalid('refund_id 格式不正确');
  const known = REFUND_STATUSES.find((s) => s === status);
  if (!known) return invalid('status 不是有效的退款状态');
  if (!Number.isSafeInteger(refund_fen) || (refund_fen as number) < 1)
    return invalid('refund_fen 应为正整数（分）');
  return ok({
    outRefundNo: out_refund_no,
    outTradeNo: out_trade_no,
    refundId: refund_id,
    status: known,
    refundFen: refund_fen as number,
  });
}

/** The seed's payment callback body. */
function parsePayment(body: Record<string, unknown>): Result<PaymentEvent, NotificationError> {
  const { order_no, payment_id, status, amount } = body;
  if (typeof order_no !== 'string' || !ORDER_NO_PATTERN.test(order_no)) return invalid('order_no 格式不正确');
  if (!isWireTradeState(status)) return invalid('status 不是有效的交易状态');
  if (typeof amount !== 'number') return invalid('amount 应为数字（元）');
  const amountFen = yuanToFen(amount);
  if (amountFen === undefined) return invalid('amount 应以元为单位，最多两位小数');
  if (!(payment_id == null || (typeof payment_id === 'string' && payment_id.length <= 64))) {
    return invalid('payment_id 格式不正确');
  }
  const transactionId = payment_id ? payment_id : null;
  if (status === 'SUCCESS' && transactionId === null) return invalid('status 为 SUCCESS 时必须有 payment_id');
  return ok({ outTradeNo: order_no, state: status, transactionId, amountFen, paidAt: null });
}
