import type { Refunds } from '../../domain/ports';
import type { Refund } from '../../domain/refund';

export class MemoryRefunds implements Refunds {
  private readonly rows = new Map<number, Refund>();

  /** No await between the check and the set: first writer wins, like the Mongo `_id` insert. */
  async record(refund: Refund): Promise<{ refund: Refund; created: boolean }> {
    const existing = this.rows.get(refund.orderId);
    if (existing) return { refund: existing, created: false };
    if ([...this.rows.values()].some((r) => r.outRefundNo === refund.outRefundNo))
      throw new Error(`duplicate out_refund_no ${refund.outRefundNo}`);
    this.rows.set(refund.orderId, refund);
    return { refund, created: true };
  }

  async find(orderId: number): Promise<Refund | null> {
    return this.rows.get(orderId) ?? null;
  }
}
