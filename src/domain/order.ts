import type { Fen } from './money';
import type { Product } from './product';
import { localParts } from './time';

export type OrderStatus = 'pending' | 'paid' | 'completed' | 'cancelled' | 'refunded';

export interface Order {
  readonly id: number;
  readonly orderNo: string;
  readonly userId: number;
  readonly productId: number;
  readonly amountFen: Fen;
  readonly credits: number;
  readonly status: OrderStatus;
  readonly paymentId: string | null;
  readonly paymentTime: Date | null;
  readonly refundTime: Date | null;
  readonly remark: string | null;
  /** Snapshot of the product at purchase time, so later catalog edits do not rewrite history. */
  readonly productName: string;
  readonly productDescription: string;
  readonly productImageUrl: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /**
   * Until when it can be paid, fixed at creation (also WeChat's `time_expire`), so a later change of
   * ORDER_EXPIRE_MINUTES never moves it. Null only on orders stored before this field existed.
   */
  readonly expiresAt: Date | null;
}

export type NewOrder = Omit<Order, 'id'>;

/** The seed's state machine (§5) as one table: pending→paid→completed, pending→cancelled, completed→refunded. */
const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending: ['paid', 'cancelled'],
  paid: ['completed'],
  completed: ['refunded'],
  cancelled: [],
  refunded: [],
};

export const canTransition = (from: OrderStatus, to: OrderStatus): boolean => TRANSITIONS[from].includes(to);

export const ORDER_NO_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
export const ORDER_NO_PATTERN = /^P\d{14}[0-9a-z]{8}$/;

/** `P` + local yyyyMMddHHmmss + 8 random [0-9a-z]: 23 chars, a valid WeChat `out_trade_no`. */
export function makeOrderNo(at: Date, timeZone: string, random8: string): string {
  if (!/^[0-9a-z]{8}$/.test(random8)) throw new Error('order number suffix must be 8 chars of [0-9a-z]');
  const p = localParts(at, timeZone);
  return `P${p.year}${p.month}${p.day}${p.hour}${p.minute}${p.second}${random8}`;
}

/** A new pending order priced from the server's own product record; nothing comes from the client. */
export function newOrder(input: {
  product: Product;
  userId: number;
  orderNo: string;
  now: Date;
  expireMinutes: number;
}): NewOrder {
  const { product, userId, orderNo, now } = input;
  return {
    orderNo,
    userId,
    productId: product.id,
    amountFen: product.priceFen,
    credits: product.credits,
    status: 'pending',
    paymentId: null,
    paymentTime: null,
    refundTime: null,
    remark: null,
    productName: product.name,
    productDescription: product.description,
    productImageUrl: product.imageUrl,
    createdAt: now,
    updatedAt: now,
    expiresAt: new Date(now.getTime() + input.expireMinutes * 60_000),
  };
}

/** The order's own expiry; orders stored before it was kept fall back to created_at + the setting. */
export const orderExpiresAt = (order: Order, fallbackMinutes: number): Date =>
  order.expiresAt ?? new Date(order.createdAt.getTime() + fallbackMinutes * 60_000);
