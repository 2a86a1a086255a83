import type { NewLedgerEntry } from '../../src/domain/ledger';
import type { NewOrder } from '../../src/domain/order';
import type { NewProduct } from '../../src/domain/product';

export const T0 = new Date('2023-07-01T04:00:00Z');

export const aProduct = (over: Partial<NewProduct & { id: number }> = {}): NewProduct & { id: number } => ({
  id: 1,
  name: '100积分套餐',
  description: '购买100积分',
  credits: 100,
  priceFen: 990,
  imageUrl: 'https://example.com/images/credits-100.png',
  isActive: true,
  sortOrder: 1,
  xpayProductId: 'credits_100',
  ...over,
});

let orderSeq = 0;
export const anOrder = (over: Partial<NewOrder> = {}): NewOrder => {
  orderSeq++;
  return {
    orderNo: `P20230701120000${String(orderSeq).padStart(8, '0')}`,
    userId: 1,
    productId: 1,
    amountFen: 990,
    credits: 100,
    status: 'pending',
    paymentId: null,
    paymentTime: null,
    refundTime: null,
    remark: null,
    productName: '100积分套餐',
    productDescription: '购买100积分',
    productImageUrl: null,
    createdAt: T0,
    updatedAt: T0,
    expiresAt: new Date(T0.getTime() + 30 * 60_000),
    ...over,
  };
};

export const anEntry = (over: Partial<NewLedgerEntry> = {}): NewLedgerEntry => ({
  userId: 1,
  seq: 1,
  amount: 100,
  balanceAfter: 100,
  type: 'purchase',
  description: '购买100积分',
  relatedOrderId: 1,
  idempotencyKey: 'purchase:1',
  createdAt: T0,
  ...over,
});
