import type { OrderStatus } from './order';

/**
 * That an order reached a status, recorded once per order and status by a unique insert. The
 * order's `status` field is a projection that a slow write can overwrite (FerretDB updates are read
 * → modify → write: a `completed` write that read the order before the refund landed after it); these
 * records cannot be overwritten, so the projection is checked against them and repaired.
 */
export interface StatusChange {
  readonly orderId: number;
  readonly status: OrderStatus;
  readonly paymentId?: string | null;
  readonly paymentTime?: Date | null;
  readonly refundTime?: Date | null;
  readonly at: Date;
}

/**
 * Every allowed move goes up this order — pending→cancelled, pending→paid, cancelled→paid (money
 * that arrived late), paid→completed, completed→refunded — so an order's status is the highest it
 * ever reached, and a write of a lower one is always a stale write.
 */
export const STATUS_RANK: Readonly<Record<OrderStatus, number>> = {
  pending: 0,
  cancelled: 1,
  paid: 2,
  completed: 3,
  refunded: 4,
};

/** Statuses a write of `status` may replace. */
export const statusesBelow = (status: OrderStatus): OrderStatus[] =>
  (Object.keys(STATUS_RANK) as OrderStatus[]).filter((s) => STATUS_RANK[s] < STATUS_RANK[status]);

export interface ProjectedStatus {
  readonly status: OrderStatus;
  readonly paymentId?: string | null;
  readonly paymentTime?: Date | null;
  readonly refundTime?: Date | null;
  readonly updatedAt: Date;
}

/** What the order's projection must say: the highest status reached, with every field ever recorded. */
export function projectionOf(changes: readonly StatusChange[]): ProjectedStatus | null {
  if (changes.length === 0) return null;
  const ordered = [...changes].sort((a, b) => STATUS_RANK[a.status] - STATUS_RANK[b.status]);
  let out: { -readonly [K in keyof ProjectedStatus]: ProjectedStatus[K] } = {
    status: 'pending',
    updatedAt: ordered[0]!.at,
  };
  for (const c of ordered) {
    out = {
      ...out,
      status: c.status,
      ...(c.paymentId !== undefined ? { paymentId: c.paymentId } : {}),
      ...(c.paymentTime !== undefined ? { paymentTime: c.paymentTime } : {}),
      ...(c.refundTime !== undefined ? { refundTime: c.refundTime } : {}),
      updatedAt: new Date(Math.max(c.at.getTime(), out.updatedAt.getTime())),
    };
  }
  return out;
}
