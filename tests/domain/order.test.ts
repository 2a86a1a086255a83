import { describe, expect, it } from 'bun:test';
import {
  canTransition,
  makeOrderNo,
  newOrder,
  type OrderStatus,
  orderExpiresAt,
} from '../../src/domain/order';
import type { Product } from '../../src/domain/product';

const STATUSES: readonly OrderStatus[] = ['pending', 'paid', 'completed', 'cancelled', 'refunded'];
const ALLOWED = new Set(['pending→paid', 'pending→cancelled', 'paid→completed', 'completed→refunded']);
const PAIRS = STATUSES.flatMap((from) => STATUSES.map((to) => [from, to] as const));

describe('canTransition', () => {
  it('is asked about all 25 pairs', () => {
    expect(PAIRS.length).toBe(25);
  });

  it.each(PAIRS)('%s → %s follows the seed table', (from, to) => {
    expect(canTransition(from, to)).toBe(ALLOWED.has(`${from}→${to}`));
  });
});

describe('makeOrderNo', () => {
  const at = new Date('2023-07-01T04:00:00Z');

  it('is P + Shanghai local yyyyMMddHHmmss + the suffix', () => {
    expect(makeOrderNo(at, 'Asia/Shanghai', '1234abcd')).toBe('P202307011200001234abcd');
  });

  it('matches the out_trade_no pattern', () => {
    expect(makeOrderNo(at, 'Asia/Shanghai', 'zz00aa99')).toMatch(/^P\d{14}[0-9a-z]{8}$/);
  });

  it('uses the given zone, not the machine one', () => {
    expect(makeOrderNo(at, 'UTC', '00000000')).toBe('P2023070104000000000000');
  });

  it.each(['1234abc', '1234abcde', '1234ABCD', '1234-bcd', ''])('rejects the suffix %p', (suffix) => {
    expect(() => makeOrderNo(at, 'Asia/Shanghai', suffix)).toThrow();
  });
});

describe('newOrder', () => {
  const product: Product = {
    id: 7,
    name: '500积分套餐',
    description: '购买500积分',
    credits: 500,
    priceFen: 3990,
    imageUrl: 'https://example.com/images/credits-500.png',
    isActive: true,
    sortOrder: 2,
    xpayProductId: null,
    createdAt: new Date('2023-01-01T00:00:00Z'),
    updatedAt: new Date('2023-01-01T00:00:00Z'),
    version: 1,
  };
  const now = new Date('2023-07-01T04:00:00Z');

  it('is a pending order priced and snapshotted from the product', () => {
    const orderNo = 'P202307011200001234abcd';
    expect(newOrder({ product, userId: 3, orderNo, now, expireMinutes: 15 })).toEqual({
      orderNo: 'P202307011200001234abcd',
      userId: 3,
      productId: 7,
      amountFen: 3990,
      credits: 500,
      status: 'pending',
      paymentId: null,
      paymentTime: null,
      refundTime: null,
      remark: null,
      productName: '500积分套餐',
      productDescription: '购买500积分',
      productImageUrl: 'https://example.com/images/credits-500.png',
      createdAt: now,
      updatedAt: now,
      expiresAt: new Date('2023-07-01T04:15:00Z'),
    });
  });

  it('expires when it says, whatever the setting is now; an order stored without it uses the setting', () => {
    const order = {
      ...newOrder({ product, userId: 3, orderNo: 'P202307011200001234abcd', now, expireMinutes: 15 }),
      id: 1,
    };
    expect(orderExpiresAt(order, 60)).toEqual(new Date('2023-07-01T04:15:00Z'));
    expect(orderExpiresAt({ ...order, expiresAt: null }, 60)).toEqual(new Date('2023-07-01T05:00:00Z'));
  });
});
