import type { Fen } from './money';

export interface Product {
  readonly id: number;
  readonly name: string;
  readonly description: string;
  readonly credits: number;
  readonly priceFen: Fen;
  readonly imageUrl: string | null;
  readonly isActive: boolean;
  readonly sortOrder: number;
  /** The xpay 道具 `productId` this package is sold as (PAYMENT_PROVIDER=xpay); null = not sold there. */
  readonly xpayProductId: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** 1 at creation, +1 per edit; an admin edit may name the version it was based on (409 otherwise). */
  readonly version: number;
}

export type NewProduct = Omit<Product, 'id' | 'createdAt' | 'updatedAt' | 'version'>;

/** The two packages of the seed document, loaded into an empty catalog at start. */
export const DEMO_PRODUCTS: readonly (NewProduct & { readonly id: number })[] = [
  {
    id: 1,
    name: '100积分套餐',
    description: '购买100积分',
    credits: 100,
    priceFen: 990,
    imageUrl: 'https://example.com/images/credits-100.png',
    isActive: true,
    sortOrder: 1,
    xpayProductId: 'credits_100',
  },
  {
    id: 2,
    name: '500积分套餐',
    description: '购买500积分',
    credits: 500,
    priceFen: 3990,
    imageUrl: 'https://example.com/images/credits-500.png',
    isActive: true,
    sortOrder: 2,
    xpayProductId: 'credits_500',
  },
];
