import { hourOf } from '../../domain/figures';
import type { Settlements } from '../../domain/ports';
import type { PaymentClaim, Settlement } from '../../domain/settlement';

export class MemorySettlements implements Settlements {
  private readonly rows = new Map<number, Settlement>();
  private readonly claims = new Map<string, PaymentClaim>();

  async record(settlement: Settlement): Promise<{ settlement: Settlement; created: boolean }> {
    const existing = this.rows.get(settlement.orderId);
    if (existing) return { settlement: existing, created: false };
    this.rows.set(settlement.orderId, settlement);
    return { settlement, created: true };
  }

  async find(orderId: number): Promise<Settlement | null> {
    return this.rows.get(orderId) ?? null;
  }

  async inHour(hour: number): Promise<Settlement[]> {
    return [...this.rows.values()].filter((s) => hourOf(s.settledAt) === hour);
  }

  async *scan(): AsyncIterable<Settlement> {
    yield* [...this.rows.values()];
  }

  async claimPayment(claim: PaymentClaim): Promise<PaymentClaim> {
    const holder = this.claims.get(claim.paymentId);
    if (holder) return holder;
    this.claims.set(claim.paymentId, claim);
    return claim;
  }

  async paymentClaim(paymentId: string): Promise<PaymentClaim | null> {
    return this.claims.get(paymentId) ?? null;
  }
}
