import type { Refunds } from '../../domain/ports';
import { type RefundAttempt, type RefundEvent, type RefundState, refundEventId } from '../../domain/refund';

/** The same unique keys as the Mongo collections; no await between a check and its set (first writer wins). */
export class MemoryRefunds implements Refunds {
  private readonly attemptRows = new Map<string, { attempt: RefundAttempt; state: RefundState }>();
  private readonly eventRows = new Map<string, RefundEvent>();

  async claim(attempt: RefundAttempt): Promise<{ attempt: RefundAttempt; created: boolean }> {
    const id = `${attempt.orderId}:${attempt.attempt}`;
    const existing = this.attemptRows.get(id);
    if (existing) return { attempt: existing.attempt, created: false };
    if (this.byNo(attempt.outRefundNo)) throw new Error(`duplicate out_refund_no ${attempt.outRefundNo}`);
    this.attemptRows.set(id, { attempt, state: 'requested' });
    return { attempt, created: true };
  }

  async attempts(orderId: number): Promise<RefundAttempt[]> {
    return [...this.attemptRows.values()]
      .map((r) => r.attempt)
      .filter((a) => a.orderId === orderId)
      .sort((a, b) => a.attempt - b.attempt);
  }

  async findByOutRefundNo(outRefundNo: string): Promise<RefundAttempt | null> {
    return this.byNo(outRefundNo)?.attempt ?? null;
  }

  async record(event: RefundEvent): Promise<{ event: RefundEvent; created: boolean }> {
    const id = refundEventId(event.outRefundNo, event.stage);
    const existing = this.eventRows.get(id);
    if (existing) return { event: existing, created: false };
    this.eventRows.set(id, event);
    return { event, created: true };
  }

  async events(outRefundNo: string): Promise<RefundEvent[]> {
    return (['processing', 'final'] as const).flatMap(
      (stage) => this.eventRows.get(refundEventId(outRefundNo, stage)) ?? [],
    );
  }

  async project(outRefundNo: string, from: readonly RefundState[], to: RefundState): Promise<void> {
    const row = this.byNo(outRefundNo);
    if (row && from.includes(row.state)) row.state = to;
  }

  async listByState(state: RefundState, limit: number): Promise<RefundAttempt[]> {
    return [...this.attemptRows.values()]
      .filter((r) => r.state === state)
      .map((r) => r.attempt)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .slice(0, limit);
  }

  private byNo(outRefundNo: string) {
    return [...this.attemptRows.values()].find((r) => r.attempt.outRefundNo === outRefundNo);
  }
}
