import type { Fen } from './money';

/**
 * The intent to refund an order, inserted under the order's id before the provider is asked: the
 * first writer wins atomically, so every retry and every concurrent admin reuses the same
 * `outRefundNo`, and the provider (idempotent per refund number) refunds the money once.
 */
export interface Refund {
  readonly orderId: number;
  readonly outRefundNo: string;
  readonly refundFen: Fen;
  readonly reason: string;
  readonly createdAt: Date;
}

export const refundKey = (orderId: number): string => `refund:${orderId}`;

export const REFUND_NO_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * `R` + the order number's digits + random: at most 32 chars of `[A-Za-z0-9]`, as WeChat's
 * out_refund_no requires. The random part keeps it unguessable and distinct from any other order's.
 */
export function makeOutRefundNo(orderNo: string, random: string): string {
  if (!/^[A-Za-z0-9]{1,31}$/.test(random)) throw new Error('refund number suffix must be [A-Za-z0-9]');
  const digits = orderNo.replace(/\D/g, '');
  return `R${digits}${random}`.slice(0, 32);
}
