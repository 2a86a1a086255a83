// Use-case fixture for refunds: memory storage, a completed order, and a scripted refund provider
// that yields between steps so concurrent callers really interleave.
import { memoryRepositories } from '../../src/adapters/memory';
import { FixedClock } from '../../src/adapters/system/clock';
import type { Order } from '../../src/domain/order';
import type { Payments, ProviderError, RefundStatus } from '../../src/domain/payment';
import { err, ok, type Result } from '../../src/domain/result';
import type { Deps } from '../../src/domain/usecases/deps';
import { appendEntry } from '../../src/domain/usecases/ledger';
import { settleOrder } from '../../src/domain/usecases/settle';
import { anOrder } from '../support/builders';

type Status = RefundStatus['status'];

export interface ProviderScript {
  /** The status a new refund is created with. */
  initial: Status;
  /** What a PROCESSING refund has become at the next query (PROCESSING = still processing). */
  later: Status;
  /** Refuse every refund request outright (e.g. NO_AUTH). */
  reject?: boolean;
  /** The next n refund requests are carried out but their answers are lost. */
  loseAnswers?: number;
}

const notUsed = () => {
  throw new Error('not used in this test');
};
export const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

export function scriptedProvider(script: ProviderScript) {
  const book = new Map<string, { refundId: string; outRefundNo: string; status: Status }>();
  const sent: string[] = [];
  const unavailable = (): Result<never, ProviderError> =>
    err({ kind: 'provider_unavailable', message: 'answer lost' });
  const payments: Payments = {
    createPayment: notUsed,
    query: notUsed,
    close: notUsed,
    async refund(req) {
      sent.push(req.outRefundNo);
      await tick();
      if (script.reject) return err({ kind: 'provider_rejected', message: 'NO_AUTH', code: 'NO_AUTH' });
      let r = book.get(req.outRefundNo);
      if (!r) {
        r = {
          refundId: `50${String(book.size + 1).padStart(27, '0')}`,
          outRefundNo: req.outRefundNo,
          status: script.initial,
        };
        book.set(req.outRefundNo, r);
      }
      await tick();
      if ((script.loseAnswers ?? 0) > 0) {
        script.loseAnswers = (script.loseAnswers ?? 1) - 1;
        return unavailable();
      }
      return ok({ ...r });
    },
    async queryRefund(no) {
      await tick();
      const r = book.get(no);
      if (!r) return err({ kind: 'provider_rejected', message: 'RESOURCE_NOT_EXISTS' });
      if (r.status === 'PROCESSING') r.status = script.later;
      return ok({ ...r });
    },
  };
  /** Distinct refund numbers the provider accepted money movements for. */
  const refunded = () => [...book.values()].filter((r) => r.status !== 'CLOSED' && r.status !== 'ABNORMAL');
  return { payments, sent, book, refunded, script };
}

let seq = 0;
/** Deterministic "random" refund-number suffixes: distinct across the whole test run. */
const counterRandom = { string: (n: number) => String(++seq).padStart(n, '0').slice(-n) };

export function refundDeps(script: ProviderScript) {
  const provider = scriptedProvider(script);
  const logs: Array<{ event: string; fields: Record<string, unknown> }> = [];
  const clock = new FixedClock();
  const deps: Deps = {
    ...memoryRepositories(),
    payments: provider.payments,
    wechatLogin: { exchange: notUsed },
    clock,
    random: counterRandom,
    settings: {
      timeZone: 'Asia/Shanghai',
      orderExpireMinutes: 30,
      notifyUrl: 'http://localhost/api/orders/callback',
      refundNotifyUrl: 'http://localhost/api/orders/callback/refund',
    },
    log: (event, fields) => logs.push({ event, fields }),
  };
  return { deps, provider, logs, clock };
}

/** A completed order of `credits` for user 1; `extra` more credits granted first, `spent` consumed after. */
export async function completedOrder(deps: Deps, credits = 100, o: { extra?: number; spent?: number } = {}) {
  if (o.extra)
    await appendEntry(deps, {
      userId: 1,
      amount: o.extra,
      type: 'adjust',
      description: 'extra',
      relatedOrderId: null,
      idempotencyKey: `extra:${++seq}`,
    });
  const created = await deps.orders.create(anOrder({ userId: 1, amountFen: 990, credits }));
  const settled = await settleOrder(deps)(created, {
    paymentId: `42${created.orderNo}`,
    amountFen: 990,
    paidAt: deps.clock.now(),
    source: 'callback',
  });
  if (!settled.ok) throw new Error('settle failed');
  if (o.spent)
    await appendEntry(deps, {
      userId: 1,
      amount: -o.spent,
      type: 'consume',
      description: 'spent',
      relatedOrderId: null,
      idempotencyKey: `spent:${++seq}`,
    });
  return settled.value as Order;
}

export const balanceOf = async (deps: Deps) => (await deps.ledger.head(1))?.balanceAfter ?? 0;
export const entries = (deps: Deps) => deps.ledger.list(1, { skip: 0, limit: 1000 });
