import type { LedgerEntry } from './ledger';
import { purchaseKey } from './ledger';
import type { Order } from './order';
import { gaveUp, type RefundAttempt, type RefundState } from './refund';
import type { Review } from './review';
import type { PaymentClaim, Settlement } from './settlement';
import { projectionOf, STATUS_RANK, type StatusChange } from './status';

/** One broken invariant: which rule, about what, and how. */
export interface Finding {
  readonly check: string;
  readonly subject: string;
  readonly message: string;
}

/** What one run of the audit found (usecases/audit.ts). */
export interface AuditReport {
  readonly ok: boolean;
  readonly scanned: { users: number; entries: number; orders: number; reviews: number };
  /** Findings per rule, all of them counted. */
  readonly violations: Record<string, number>;
  /** The first `maxFindings` findings in full. */
  readonly findings: Finding[];
}

/** Who started a run: the daily job, an admin through the API or the console, or `bun run audit`. */
export const AUDIT_TRIGGERS = ['daily', 'api', 'console', 'cli'] as const;
export type AuditTrigger = (typeof AUDIT_TRIGGERS)[number];

/** A finished run as stored (insert-only: never changed once saved). */
export interface StoredAuditReport {
  readonly id: string;
  readonly trigger: AuditTrigger;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly report: AuditReport;
}

/** Whether run `a` is newer than `b`: it finished later, or in the same millisecond has the higher id. */
export const finishedAfter = (
  a: Pick<StoredAuditReport, 'id' | 'finishedAt'>,
  b: Pick<StoredAuditReport, 'id' | 'finishedAt'>,
): boolean =>
  a.finishedAt.getTime() !== b.finishedAt.getTime()
    ? a.finishedAt.getTime() > b.finishedAt.getTime()
    : a.id > b.id;

/** A ledger entry with what it stands on: the entry before it and the records its order has. */
export interface EntryRecords {
  readonly entry: LedgerEntry;
  readonly previous: LedgerEntry | null;
  /** For a `purchase` entry: its order's settlement. */
  readonly settlement: Settlement | null;
  /** For a `refund` entry (a deduction or a reversal): the refund attempt its key names. */
  readonly refundAttempt: RefundAttempt | null;
}

/** One refund attempt of an order with what was recorded about it. */
export interface AttemptRecords {
  readonly attempt: RefundAttempt;
  readonly state: RefundState;
  /** The attempt's deduction entry (`refund:<order>[:<n>]`), if one was decided. */
  readonly deduction: LedgerEntry | null;
  /** The entry that gave a failed attempt's credits back (`refund-reversal:<out_refund_no>`). */
  readonly reversal: LedgerEntry | null;
}

/** Which refund attempt a refund entry's key names: a deduction by (order, attempt), a reversal by number. */
export function refundAttemptRef(
  key: string,
): { orderId: number; attempt: number } | { outRefundNo: string } | null {
  const reversal = /^refund-reversal:(.+)$/.exec(key);
  if (reversal) return { outRefundNo: reversal[1]! };
  const deduction = /^refund:(\d+)(?::(\d+))?$/.exec(key);
  return deduction ? { orderId: Number(deduction[1]), attempt: Number(deduction[2] ?? 1) } : null;
}

/** An order and every record that says what happened to it. */
export interface OrderRecords {
  readonly order: Order;
  readonly settlement: Settlement | null;
  readonly purchase: LedgerEntry | null;
  /** Attempt 1 first. */
  readonly refunds: readonly AttemptRecords[];
  readonly changes: readonly StatusChange[];
  /** The claim of the settlement's transaction; undefined when there is no transaction to hold. */
  readonly paymentClaim?: PaymentClaim | null;
  /** Whether a `payment_reused` review of the order exists (open or resolved). */
  readonly reuseReviewed?: boolean;
}

/**
 * One integrity rule: pure functions of the records the audit streams past (usecases/audit.ts).
 * A rule looks at whichever of entries, orders and reviews it needs; new lifecycles add rules.
 */
export interface AuditCheck {
  readonly name: string;
  entry?(r: EntryRecords): readonly string[];
  order?(r: OrderRecords): readonly string[];
  review?(r: Review): readonly string[];
}

/** Per user: seq 1, 2, 3… without gaps, each balance_after the running sum, never below zero. */
export const ledgerChain: AuditCheck = {
  name: 'ledger_chain',
  entry: ({ entry: e, previous: p }) => {
    const out: string[] = [];
    const seq = (p?.seq ?? 0) + 1;
    const balance = (p?.balanceAfter ?? 0) + e.amount;
    if (e.seq !== seq) out.push(`seq ${e.seq} follows ${p?.seq ?? 'nothing'} (expected ${seq})`);
    else if (e.balanceAfter !== balance)
      out.push(`seq ${e.seq}: balance_after ${e.balanceAfter}, running sum ${balance}`);
    if (e.balanceAfter < 0) out.push(`seq ${e.seq}: balance_after ${e.balanceAfter} is negative`);
    return out;
  },
};

/** Every purchase entry stands on a settlement, and every settlement has its purchase entry. */
export const settlementsGranted: AuditCheck = {
  name: 'settlement_purchase',
  entry: ({ entry: e, settlement }) => {
    if (e.type !== 'purchase') return [];
    if (e.relatedOrderId === null || e.idempotencyKey !== purchaseKey(e.relatedOrderId))
      return [`purchase entry ${e.id} is not keyed to an order`];
    return settlement ? [] : [`purchase entry ${e.id} for order ${e.relatedOrderId} has no settlement`];
  },
  order: ({ order, settlement, purchase }) => {
    const out: string[] = [];
    if (settlement && !purchase) out.push('settled but no purchase entry');
    if (settlement && settlement.amountFen !== order.amountFen)
      out.push(`settled ${settlement.amountFen} fen for an order of ${order.amountFen}`);
    if (purchase && purchase.amount !== order.credits)
      out.push(`purchase entry grants ${purchase.amount} credits for an order of ${order.credits}`);
    return out;
  },
};

/** The status says what the records say: never behind them, never claiming what none of them proves. */
export const orderStatus: AuditCheck = {
  name: 'order_status',
  order: ({ order, settlement, purchase, changes }) => {
    const out: string[] = [];
    const s = order.status;
    if (settlement && (s === 'pending' || s === 'cancelled')) out.push(`settled but ${s}`);
    if (purchase && STATUS_RANK[s] < STATUS_RANK.completed) out.push(`credits granted but ${s}`);
    if (!settlement && STATUS_RANK[s] >= STATUS_RANK.paid) out.push(`${s} without a settlement`);
    if (!purchase && STATUS_RANK[s] >= STATUS_RANK.completed) out.push(`${s} without a purchase entry`);
    const recorded = projectionOf(changes);
    if (recorded && STATUS_RANK[s] < STATUS_RANK[recorded.status])
      out.push(`${s} though it reached ${recorded.status} (a stale write)`);
    return out;
  },
};

/**
 * A settlement's transaction is claimed by its own order: one payment never settles two orders. A
 * pair a human has been asked about (a `payment_reused` review, open or resolved) is the review's
 * business, not a new finding every day.
 */
export const paymentClaims: AuditCheck = {
  name: 'payment_claim',
  order: ({ order, settlement, paymentClaim, reuseReviewed }) => {
    if (!settlement?.paymentId || paymentClaim === undefined) return [];
    if (paymentClaim === null) return [`settled by ${settlement.paymentId}, which no order has claimed`];
    if (paymentClaim.orderId === order.id || reuseReviewed) return [];
    return [`settled by ${settlement.paymentId}, which pays order ${paymentClaim.orderId}`];
  },
};

/**
 * Refund attempts, their recorded states and their ledger entries agree. Separate from the rest, so
 * the refund lifecycle can replace it (or add to it) as its states grow.
 */
export const refundRecords: AuditCheck = {
  name: 'refund_records',
  entry: ({ entry: e, refundAttempt }) => {
    if (e.type !== 'refund') return [];
    if (!refundAttemptRef(e.idempotencyKey))
      return [`refund entry ${e.id} has an unknown key ${e.idempotencyKey}`];
    if (!refundAttempt) return [`refund entry ${e.id} (${e.idempotencyKey}) has no refund attempt`];
    return refundAttempt.orderId === e.relatedOrderId
      ? []
      : [`refund entry ${e.id} names order ${e.relatedOrderId}, its attempt order ${refundAttempt.orderId}`];
  },
  order: ({ order, refunds }) => {
    const out: string[] = [];
    const succeeded = refunds.filter((r) => r.state === 'succeeded');
    if (succeeded.length > 1) out.push(`${succeeded.length} refund attempts succeeded`);
    if (succeeded.length > 0 && order.status !== 'refunded') out.push(`refund succeeded but ${order.status}`);
    if (order.status === 'refunded' && succeeded.length === 0 && refunds.length > 0)
      out.push('refunded without a successful refund attempt');
    for (const { attempt, state, deduction, reversal } of refunds) {
      const no = attempt.outRefundNo;
      if (attempt.refundFen > order.amountFen)
        out.push(`${no}: refund of ${attempt.refundFen} fen exceeds the order's ${order.amountFen}`);
      if (deduction && (deduction.amount > 0 || -deduction.amount > order.credits))
        out.push(`${no}: deduction of ${deduction.amount} for an order of ${order.credits} credits`);
      const taken = deduction ? -deduction.amount : 0;
      if (gaveUp(state) && taken > 0 && reversal?.amount !== taken)
        out.push(`${no}: ${state}, ${taken} credits taken, ${reversal?.amount ?? 0} given back`);
      if (!gaveUp(state) && reversal) out.push(`${no}: ${state} but its credits were given back`);
    }
    return out;
  },
};

/** What the sweeper or a request handed to a human (second payments among them) and nobody resolved. */
export const openReviews: AuditCheck = {
  name: 'review_queue',
  review: (r) => (r.resolvedAt === null ? [`open review ${r.reason}: ${r.detail}`] : []),
};

export const DEFAULT_AUDIT_CHECKS: readonly AuditCheck[] = [
  ledgerChain,
  settlementsGranted,
  orderStatus,
  paymentClaims,
  refundRecords,
  openReviews,
];
