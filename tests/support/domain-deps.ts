// Use-case dependencies over memory storage, a hand-moved clock and a scripted provider: for domain
// tests that need no HTTP and no sandbox.
import { memoryRepositories } from '../../src/adapters/memory';
import { FixedClock } from '../../src/adapters/system/clock';
import type { Payments, TradeStatus } from '../../src/domain/payment';
import type { Random, WechatLogin } from '../../src/domain/ports';
import { err, ok } from '../../src/domain/result';
import type { Deps } from '../../src/domain/usecases/deps';

export interface LogLine {
  event: string;
  fields: Record<string, unknown>;
}

/** A provider whose trades the test sets by hand; unknown trades are NOTPAY; counts every call. */
export function scriptedPayments() {
  const trades = new Map<string, TradeStatus>();
  const calls: string[] = [];
  const failing = new Set<string>();
  let refundStatus: 'SUCCESS' | 'PROCESSING' | 'CLOSED' = 'SUCCESS';
  const answer = (no: string): TradeStatus =>
    trades.get(no) ?? { state: 'NOTPAY', transactionId: null, amountFen: 990, paidAt: null };
  const payments: Payments = {
    createPayment: async () => err({ kind: 'provider_rejected', message: 'not scripted' }),
    async query(no) {
      calls.push(`query:${no}`);
      return failing.has(no) ? err({ kind: 'provider_unavailable', message: 'down' }) : ok(answer(no));
    },
    async close(no) {
      calls.push(`close:${no}`);
      if (failing.has(no)) return err({ kind: 'provider_unavailable', message: 'down' });
      if (answer(no).state === 'SUCCESS') return ok('already_paid');
      trades.set(no, { state: 'CLOSED', transactionId: null, amountFen: null, paidAt: null });
      return ok('closed');
    },
    async refund(req) {
      calls.push(`refund:${req.outTradeNo}`);
      return ok({ refundId: `rf-${req.outRefundNo}`, outRefundNo: req.outRefundNo, status: refundStatus });
    },
    async queryRefund(no) {
      calls.push(`queryRefund:${no}`);
      return ok({ refundId: `rf-${no}`, outRefundNo: no, status: refundStatus });
    },
  };
  return {
    payments,
    calls,
    /** The provider took the money for this trade. */
    pay: (no: string, amountFen = 990, transactionId = `4200${no}`) =>
      trades.set(no, {
        state: 'SUCCESS',
        transactionId,
        amountFen,
        paidAt: new Date('2023-07-01T04:01:00Z'),
      }),
    /** What the provider answers about every refund from now on. */
    setRefundStatus: (s: typeof refundStatus) => {
      refundStatus = s;
    },
    /** The provider reports the trade refunded though it was never settled with us. */
    refundedBeforeSettlement: (no: string) =>
      trades.set(no, { state: 'REFUND', transactionId: `4200${no}`, amountFen: 990, paidAt: null }),
    /** The provider has never seen this trade (a sandbox restarted, or the user never opened the payment). */
    unknown: (no: string) =>
      trades.set(no, { state: 'NOT_FOUND', transactionId: null, amountFen: null, paidAt: null }),
    /** Every call about this trade fails as unavailable (or works again with `false`). */
    fail: (no: string, down = true) => (down ? failing.add(no) : failing.delete(no)),
  };
}

export function domainDeps(opts: { clock?: FixedClock } = {}) {
  const clock = opts.clock ?? new FixedClock();
  const logs: LogLine[] = [];
  const provider = scriptedPayments();
  let n = 0;
  const random: Random = {
    string: (length, alphabet) => String(++n).padStart(length, alphabet[0]).slice(-length),
  };
  const wechatLogin: WechatLogin = {
    exchange: async () => {
      throw new Error('login is not used in domain tests');
    },
  };
  const deps: Deps = {
    ...memoryRepositories(),
    payments: provider.payments,
    wechatLogin,
    clock,
    random,
    settings: { timeZone: 'Asia/Shanghai', orderExpireMinutes: 30, notifyUrl: 'https://example.com/notify' },
    log: (event, fields) => logs.push({ event, fields }),
  };
  return { deps, clock, logs, provider };
}
