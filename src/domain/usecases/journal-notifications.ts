import type { DomainError } from '../errors';
import type { NotificationError, PaymentEvent, RefundNotice } from '../payment';
import { redactBody, utf8Length } from '../redact';
import type { Result } from '../result';
import { windowOf } from '../window';
import type { Deps } from './deps';
import { type JournalDeps, journal, timelineSettings } from './payment-journal';

export type NotificationRoute = 'callback' | 'notify' | 'refund_callback' | 'refund_notify';

/** Headers worth keeping for diagnosis; signatures among them are kept as `[REDACTED]` (present or not). */
const KEPT_HEADERS = [
  'content-type',
  'content-length',
  'user-agent',
  'x-forwarded-for',
  'x-request-id',
  'request-id',
  'x-gateway-signature',
  'wechatpay-signature',
  'wechatpay-signature-type',
  'wechatpay-timestamp',
  'wechatpay-nonce',
  'wechatpay-serial',
];

export interface ReceivedNotification {
  readonly route: NotificationRoute;
  readonly at: Date;
  readonly headers: Headers;
  readonly rawBody: string;
  /** The adapter's verdict on the bytes: the verified statement, or why it is not believed. */
  readonly verified: Result<PaymentEvent | RefundNotice, NotificationError>;
  /** What handling the verified statement concluded (absent when it did not verify). */
  readonly handled?: Result<unknown, DomainError>;
  /** The HTTP status the provider is answered with. */
  readonly status: number;
}

const ROUTE_LABEL: Record<NotificationRoute, string> = {
  callback: '支付网关回调',
  notify: '微信支付通知',
  refund_callback: '支付网关退款回调',
  refund_notify: '微信支付退款通知',
};

/** Why a notification was refused, in an operator's words (the adapter's message stays in `message`). */
export function rejectionLabel(error: { kind: string; message?: string }): string {
  const m = error.message ?? '';
  if (error.kind === 'payment_reused') return '支付交易已属于另一订单（未结算，已转人工复核）';
  if (error.kind === 'notification_unauthenticated') {
    if (/window|timestamp|expired|replay/i.test(m)) return '时间戳超出允许范围（疑似重放）';
    if (/missing|malformed|absent/i.test(m)) return '缺少或格式错误的签名';
    if (/serial|certificate/i.test(m)) return '未知的平台证书';
    return '签名校验失败';
  }
  if (/not (a )?JSON|JSON object|not an object|不是合法的 JSON|不是 JSON 对象/i.test(m))
    return '请求体不是合法 JSON';
  if (/订单不存在|退款单不存在/.test(m)) return `${m}（未知订单）`;
  if (/金额|不符/.test(m)) return m;
  return m || error.kind;
}

/** The order number the sender *claims* (only used to file an unverified callback, never believed). */
function claimedOrderNo(raw: string): string | null {
  try {
    const body = JSON.parse(raw) as Record<string, unknown>;
    const no = body?.order_no ?? body?.out_trade_no;
    return typeof no === 'string' && no.length <= 64 ? no : null;
  } catch {
    return null;
  }
}

/**
 * Admits at most `limit` calls per clock minute (fixed windows). `firstRefusal()` is true once per
 * minute, right after the first call it refused, so an operator reads one line per minute of a flood.
 */
function perMinuteBudget(limit: number) {
  let minute = Number.NaN;
  let used = 0;
  let refusals = 0;
  const admit = (at: Date): boolean => {
    const m = windowOf(at, 60).start;
    if (m !== minute) {
      minute = m;
      used = 0;
      refusals = 0;
    }
    if (used < limit) {
      used++;
      return true;
    }
    refusals++;
    return false;
  };
  return Object.assign(admit, { firstRefusal: () => refusals === 1 });
}

/**
 * Records a received callback / notification with what verification and handling concluded. It is
 * filed under its order when one is identified — the verified order, or for an unverified one the
 * existing order it claims to be about (so forged callbacks show up on the order they target) — and
 * otherwise under no order, listed by day.
 */
export function recordNotification(deps: JournalDeps & Pick<Deps, 'orders'>) {
  const record = journal(deps);
  const { bodyMaxBytes, unverifiedPerMinute } = timelineSettings(deps);
  const admitUnverified = perMinuteBudget(unverifiedPerMinute);
  return async (n: ReceivedNotification): Promise<void> => {
    // Anyone can send a callback that fails verification: past the budget it is answered and counted
    // (metrics, the route's rejection log line) like any other, but not stored. Each caller holds one
    // budget: the payment routes share one, the refund routes another.
    if (!n.verified.ok && !admitUnverified(n.at)) {
      if (admitUnverified.firstRefusal())
        deps.log('timeline.unverified_not_recorded', {
          routes: n.route.startsWith('refund') ? 'refund' : 'payment',
          per_minute: unverifiedPerMinute,
        });
      return;
    }
    const statement = n.verified.ok ? n.verified.value : null;
    const named = statement ? statement.outTradeNo : claimedOrderNo(n.rawBody);
    const failure = !n.verified.ok ? n.verified.error : n.handled && !n.handled.ok ? n.handled.error : null;
    // An accepted statement names an order we have; a refused one only if it exists.
    const exists = named !== null && (failure === null || (await deps.orders.findByOrderNo(named)) !== null);
    const headers: Record<string, string> = {};
    for (const name of KEPT_HEADERS) {
      const v = n.headers.get(name);
      if (v !== null) headers[name] = v;
    }
    const signedAt = /(?:^|,)\s*t=(\d{1,12})/.exec(n.headers.get('x-gateway-signature') ?? '')?.[1];
    const reason = failure ? rejectionLabel(failure as { kind: string; message?: string }) : null;
    // A body refused after its signature checked out is not a signature problem: say which it was.
    const unsigned = !n.verified.ok && n.verified.error.kind === 'notification_unauthenticated';
    const verification = n.verified.ok ? 'passed' : unsigned ? 'failed' : 'body_invalid';
    const untouched = n.verified.ok
      ? ''
      : unsigned
        ? '（未通过验签，未做任何改动）'
        : '（签名有效但内容无效，未做任何改动）';
    const what = statement && 'state' in statement ? statement.state : statement?.status;
    await record({
      orderNo: exists ? named : null,
      at: n.at,
      type: 'notification',
      action: n.route,
      outcome: failure ? 'rejected' : 'accepted',
      message: failure ? ('message' in failure ? failure.message : failure.kind) : null,
      summary: failure
        ? `收到${ROUTE_LABEL[n.route]}：已拒绝——${reason}${untouched}`
        : `收到${ROUTE_LABEL[n.route]}：已接受（${what ?? ''}）`,
      detail: {
        verification,
        ...(failure ? { rejected: { kind: failure.kind, reason } } : {}),
        http_status: n.status,
        ...(named !== null && !exists ? { unknown_order_no: named } : {}),
        ...(!n.verified.ok && named !== null ? { claimed_order_no: named } : {}),
        ...(statement ? { statement } : {}),
        headers,
        ...(signedAt ? { signature_timestamp: Number(signedAt) } : {}),
        body: redactBody(n.rawBody, bodyMaxBytes),
        body_bytes: utf8Length(n.rawBody),
      },
    });
  };
}
