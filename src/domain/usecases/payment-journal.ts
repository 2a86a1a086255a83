import { yuanText } from '../csv';
import { timeOrderedId } from '../event-id';
import type { Payments, ProviderError } from '../payment';
import type { PaymentEventRecord } from '../payment-events';
import { redactRecord } from '../redact';
import type { Result } from '../result';
import { localDay } from '../time';
import type { Deps, TimelineSettings } from './deps';

/** Kept 180 days, callback bodies up to 8 KiB, 60 unverified callbacks a minute, unless configured (TIMELINE_*). */
export const DEFAULT_TIMELINE_SETTINGS: TimelineSettings = {
  retentionDays: 180,
  bodyMaxBytes: 8192,
  unverifiedPerMinute: 60,
};

const DAY_MS = 86_400_000;

export type JournalDeps = Pick<Deps, 'paymentEvents' | 'clock' | 'random' | 'settings' | 'log'>;

/** A payment event as its recorder knows it; `journal` adds the id, day, expiry and redaction. */
export type NewPaymentEvent = Omit<
  PaymentEventRecord,
  'id' | 'day' | 'expiresAt' | 'detail' | 'durationMs'
> & {
  readonly detail: unknown;
  readonly durationMs?: number | null;
};

export const timelineSettings = (deps: Pick<Deps, 'settings'>): TimelineSettings =>
  deps.settings.timeline ?? DEFAULT_TIMELINE_SETTINGS;

/**
 * Records one payment event. Never fails the operation it describes: a store that refuses the record
 * is logged (`timeline.record_failed`) and the money path carries on.
 */
export function journal(deps: JournalDeps) {
  const { retentionDays, bodyMaxBytes } = timelineSettings(deps);
  return async (e: NewPaymentEvent): Promise<void> => {
    const record: PaymentEventRecord = {
      ...e,
      id: timeOrderedId(e.at, deps.random, 8),
      day: localDay(e.at, deps.settings.timeZone),
      durationMs: e.durationMs ?? null,
      // A received body is the longest string a record holds; it is bounded by its own setting.
      detail: redactRecord(e.detail, { maxStringBytes: bodyMaxBytes + 64 }),
      expiresAt: new Date(e.at.getTime() + retentionDays * DAY_MS),
    };
    try {
      await deps.paymentEvents.record(record);
    } catch (error) {
      deps.log('timeline.record_failed', {
        order_no: e.orderNo,
        action: e.action,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  };
}

type Operation = keyof Payments;

const CALL_LABEL: Record<Operation, string> = {
  createPayment: '发起预支付',
  query: '查询支付状态',
  close: '关闭交易',
  refund: '申请退款',
  queryRefund: '查询退款',
  confirmDelivery: '确认发货',
  refundRefusal: '查询是否可退款',
};

const ERROR_LABEL: Record<ProviderError['kind'], string> = {
  provider_unavailable: '支付方不可用',
  provider_rejected: '支付方拒绝',
};

/** What the request was about, without the payer's identity (openid) or anything signed. */
function describeRequest(op: Operation, arg: unknown): { orderNo: string | null; request: unknown } {
  if (typeof arg === 'string')
    return op === 'queryRefund'
      ? { orderNo: null, request: { out_refund_no: arg } }
      : { orderNo: arg, request: { out_trade_no: arg } };
  const req = arg as Record<string, unknown>;
  const { openid: _payer, ...rest } = req;
  return { orderNo: typeof req.outTradeNo === 'string' ? req.outTradeNo : null, request: rest };
}

function describeAnswer(op: Operation, r: Result<unknown, ProviderError>): string {
  if (!r.ok) return `${ERROR_LABEL[r.error.kind]}：${r.error.message}`;
  const v = r.value as Record<string, unknown> | string;
  if (typeof v === 'string') return v === 'already_paid' ? '交易已支付，未关闭' : '已关闭';
  if (op === 'createPayment' || op === 'confirmDelivery') return '成功';
  if (op === 'refundRefusal') return v === null ? '可退款' : `不可退款：${String(v)}`;
  if (op === 'query')
    return `${String(v.state)}${v.transactionId ? `，交易号 ${String(v.transactionId)}` : ''}${typeof v.amountFen === 'number' ? `，¥${yuanText(v.amountFen)}` : ''}`;
  return `${String(v.status)}${v.refundId ? `，退款号 ${String(v.refundId)}` : ''}`;
}

/**
 * `payments` with every call recorded for the order timeline: the request (summarised), the answer
 * or error, and how long it took. Provider-agnostic: it wraps the port, whichever adapter is behind
 * it. A refund query names only the refund number; its order is found through the refund attempt.
 */
export function journaledPayments(
  payments: Payments,
  deps: JournalDeps & Pick<Deps, 'refunds' | 'orders'>,
): Payments {
  const record = journal(deps);
  const orderOfRefund = async (outRefundNo: string): Promise<string | null> => {
    const attempt = await deps.refunds.findByOutRefundNo(outRefundNo);
    return attempt ? ((await deps.orders.findById(attempt.orderId))?.orderNo ?? null) : null;
  };
  const wrap =
    <A, R>(op: Operation, call: (arg: A) => Promise<Result<R, ProviderError>>) =>
    async (arg: A): Promise<Result<R, ProviderError>> => {
      const started = deps.clock.now();
      let result: Result<R, ProviderError> | undefined;
      let thrown: unknown;
      try {
        result = await call(arg);
        return result;
      } catch (e) {
        thrown = e;
        throw e;
      } finally {
        const durationMs = deps.clock.now().getTime() - started.getTime();
        const { orderNo, request } = describeRequest(op, arg);
        const message = thrown
          ? thrown instanceof Error
            ? thrown.message
            : String(thrown)
          : result && !result.ok
            ? result.error.message
            : null;
        await record({
          orderNo: orderNo ?? (op === 'queryRefund' ? await orderOfRefund(arg as string) : null),
          at: started,
          type: 'provider_call',
          action: op,
          outcome: thrown ? 'exception' : result!.ok ? 'ok' : result!.error.kind,
          message,
          summary: `${CALL_LABEL[op]}：${thrown ? `异常：${message}` : describeAnswer(op, result!)}（${durationMs} ms）`,
          durationMs,
          detail: {
            request,
            answer: result ? (result.ok ? result.value : result.error) : { exception: message },
          },
        });
      }
    };
  // The optional calls of providers that have them (xpay) are kept, and recorded like the rest.
  const confirm = payments.confirmDelivery?.bind(payments);
  const refusal = payments.refundRefusal?.bind(payments);
  return {
    createPayment: wrap('createPayment', (req) => payments.createPayment(req)),
    query: wrap('query', (no) => payments.query(no)),
    close: wrap('close', (no) => payments.close(no)),
    refund: wrap('refund', (req) => payments.refund(req)),
    queryRefund: wrap('queryRefund', (no) => payments.queryRefund(no)),
    ...(confirm ? { confirmDelivery: wrap('confirmDelivery', (no: string) => confirm(no)) } : {}),
    ...(refusal ? { refundRefusal: wrap('refundRefusal', (no: string) => refusal(no)) } : {}),
  };
}
