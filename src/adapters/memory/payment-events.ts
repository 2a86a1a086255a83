import {
  newestFirst,
  olderThan,
  type PaymentEventPage,
  type PaymentEventRecord,
} from '../../domain/payment-events';
import type { PaymentEvents } from '../../domain/ports';

export class MemoryPaymentEvents implements PaymentEvents {
  private readonly rows = new Map<string, PaymentEventRecord>();

  async record(event: PaymentEventRecord): Promise<void> {
    if (!this.rows.has(event.id)) this.rows.set(event.id, event);
  }

  async listByOrder(orderNo: string, page: PaymentEventPage): Promise<PaymentEventRecord[]> {
    return this.list((e) => e.orderNo === orderNo, page);
  }

  async listUnmatched(day: string, page: PaymentEventPage): Promise<PaymentEventRecord[]> {
    return this.list((e) => e.orderNo === null && e.day === day, page);
  }

  async purge(now: Date): Promise<void> {
    for (const [id, e] of this.rows) if (e.expiresAt <= now) this.rows.delete(id);
  }

  private list(match: (e: PaymentEventRecord) => boolean, page: PaymentEventPage): PaymentEventRecord[] {
    const before = page.before;
    return [...this.rows.values()]
      .filter((e) => match(e) && (!before || olderThan(e, before)))
      .sort(newestFirst)
      .slice(0, page.limit);
  }
}
