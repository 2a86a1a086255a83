import {
  type AttemptRecords,
  type AuditCheck,
  type AuditReport,
  DEFAULT_AUDIT_CHECKS,
  type EntryRecords,
  type Finding,
  refundAttemptRef,
} from '../audit';
import type { LedgerEntry } from '../ledger';
import { purchaseKey } from '../ledger';
import type { Order } from '../order';
import { type RefundAttempt, refundKey, refundState, reversalKey } from '../refund';
import { reviewId } from '../review';
import type { Deps } from './deps';

export type AuditDeps = Pick<
  Deps,
  'users' | 'ledger' | 'orders' | 'settlements' | 'refunds' | 'statusChanges' | 'reviews'
>;

export type { AuditReport };

/** Orders looked up at once; each needs a handful of point reads. */
const IN_FLIGHT = 8;

/** A run given up because its process is stopping: no report, and no failure either. */
export class AuditStopped extends Error {
  constructor() {
    super('the audit was stopped before it finished');
  }
}

/**
 * The integrity audit: streams every user's ledger, every order and every review past the rules
 * (domain/audit.ts) and reports what breaks them. It scans — it is not a request path — but never
 * holds more than one entry per user and a few orders at a time, whatever the size of the store.
 */
export function auditStore(deps: AuditDeps, checks: readonly AuditCheck[] = DEFAULT_AUDIT_CHECKS) {
  const attemptNamedBy = async (key: string): Promise<RefundAttempt | null> => {
    const ref = refundAttemptRef(key);
    if (!ref) return null;
    if ('outRefundNo' in ref) return deps.refunds.findByOutRefundNo(ref.outRefundNo);
    return (await deps.refunds.attempts(ref.orderId)).find((a) => a.attempt === ref.attempt) ?? null;
  };
  const attemptRecords = async (attempt: RefundAttempt): Promise<AttemptRecords> => {
    const [events, deduction, reversal] = await Promise.all([
      deps.refunds.events(attempt.outRefundNo),
      deps.ledger.findByKey(refundKey(attempt.orderId, attempt.attempt)),
      deps.ledger.findByKey(reversalKey(attempt.outRefundNo)),
    ]);
    return { attempt, state: refundState(events), deduction, reversal };
  };
  const entryRecords = async (entry: LedgerEntry, previous: LedgerEntry | null): Promise<EntryRecords> => ({
    entry,
    previous,
    settlement:
      entry.type === 'purchase' && entry.relatedOrderId !== null
        ? await deps.settlements.find(entry.relatedOrderId)
        : null,
    refundAttempt: entry.type === 'refund' ? await attemptNamedBy(entry.idempotencyKey) : null,
  });

  return async (opts: { maxFindings?: number; stop?: () => boolean } = {}): Promise<AuditReport> => {
    const maxFindings = opts.maxFindings ?? 200;
    // Looked at before each user, order, fault and review: a shutdown must not wait for a whole scan.
    // Orders examined meanwhile are waited for first, so none reads on after the stop returns.
    const goOn = async (inFlight: readonly Promise<void>[] = []) => {
      if (!opts.stop?.()) return;
      await Promise.allSettled(inFlight);
      throw new AuditStopped();
    };
    const scanned = { users: 0, entries: 0, orders: 0, reviews: 0 };
    const violations: Record<string, number> = {};
    const findings: Finding[] = [];
    const report = (check: string, subject: string, messages: readonly string[]) => {
      for (const message of messages) {
        violations[check] = (violations[check] ?? 0) + 1;
        if (findings.length < maxFindings) findings.push({ check, subject, message });
      }
    };

    for await (const user of deps.users.scan()) {
      await goOn();
      scanned.users++;
      let previous: LedgerEntry | null = null;
      for await (const entry of deps.ledger.scanUser(user.id)) {
        scanned.entries++;
        const records = await entryRecords(entry, previous);
        for (const c of checks)
          if (c.entry) report(c.name, `user ${user.id} seq ${entry.seq}`, c.entry(records));
        previous = entry;
      }
    }

    const examine = async (order: Order) => {
      const [settlement, purchase, attempts, changes] = await Promise.all([
        deps.settlements.find(order.id),
        deps.ledger.findByKey(purchaseKey(order.id)),
        deps.refunds.attempts(order.id),
        deps.statusChanges.list(order.id),
      ]);
      const refunds = await Promise.all(attempts.map(attemptRecords));
      const paymentClaim = settlement?.paymentId
        ? await deps.settlements.paymentClaim(settlement.paymentId)
        : undefined;
      // Only for a transaction another order holds (rare): has a human been asked about it?
      const reuseReviewed =
        paymentClaim && paymentClaim.orderId !== order.id
          ? (await deps.reviews.find(reviewId(order.id, 'payment_reused'))) !== null
          : false;
      const records = { order, settlement, purchase, refunds, changes, paymentClaim, reuseReviewed };
      for (const c of checks) if (c.order) report(c.name, `order ${order.id}`, c.order(records));
    };
    let batch: Promise<void>[] = [];
    for await (const order of deps.orders.scan()) {
      await goOn(batch);
      scanned.orders++;
      batch.push(examine(order));
      if (batch.length >= IN_FLIGHT) {
        await Promise.all(batch);
        batch = [];
      }
    }
    await Promise.all(batch);
    if (deps.orders.storeFaults)
      for await (const fault of deps.orders.storeFaults()) {
        await goOn();
        report(fault.check ?? 'order_numbers', fault.subject, [fault.message]);
      }

    for await (const review of deps.reviews.scan()) {
      await goOn();
      scanned.reviews++;
      for (const c of checks) if (c.review) report(c.name, `review ${review.id}`, c.review(review));
    }
    return { ok: Object.keys(violations).length === 0, scanned, violations, findings };
  };
}
