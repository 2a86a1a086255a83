import type { Fen } from './money';

/**
 * Proof that an order was paid: the one record that decides it. It is inserted under the order's id,
 * so the first writer wins atomically (a unique-index insert) and every later piece of evidence is
 * compared with it instead of racing it. Order `status` is only a projection of this record and the
 * ledger, which is why a cancelled order that turns out to be paid is still completed.
 */
export interface Settlement {
  readonly orderId: number;
  readonly paymentId: string | null;
  readonly amountFen: Fen;
  readonly settledAt: Date;
  readonly source: 'callback' | 'query' | 'notify' | 'sweeper' | 'statement';
}

/**
 * A provider transaction tied to the one order it pays, for good: inserted under the transaction id
 * before that order's settlement, so a second order reported with the same transaction loses.
 */
export interface PaymentClaim {
  readonly paymentId: string;
  readonly orderId: number;
  readonly claimedAt: Date;
}
