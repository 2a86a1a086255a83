import type { DomainError } from '../errors';
import { balanceOf } from '../ledger';
import { type QuotedAttempt, quoteRefund, type RefundQuote } from '../refund-quote';
import { err, ok, type Result } from '../result';
import type { Deps } from './deps';
import { creditsTaken, viewOf } from './refund-steps';

/** The refund quote of an order: reads only (order, settlement, latest attempt, balance). */
export function refundQuote(deps: Pick<Deps, 'orders' | 'settlements' | 'refunds' | 'ledger'>) {
  return async (orderId: number): Promise<Result<RefundQuote, DomainError>> => {
    const order = await deps.orders.findById(orderId);
    if (!order) return err({ kind: 'order_not_found' });
    const [settlement, attempts, head] = await Promise.all([
      deps.settlements.find(order.id),
      deps.refunds.attempts(order.id),
      deps.ledger.head(order.userId),
    ]);
    const quoted: QuotedAttempt[] = [];
    const latest = attempts.at(-1);
    if (latest) {
      const view = await viewOf(deps, order, latest);
      quoted.push({
        attempt: latest.attempt,
        outRefundNo: latest.outRefundNo,
        state: view.state,
        creditsTaken: view.deduction ? creditsTaken(view.deduction) : null,
      });
    }
    return ok(
      quoteRefund({ order, settled: settlement !== null, attempts: quoted, balance: balanceOf(head) }),
    );
  };
}
