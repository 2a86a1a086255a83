import type { Fen } from '../../domain/money';
import type { NewProduct, Product } from '../../domain/product';
import { parseYuan } from './view';

/** The product form's fields as typed (strings), so an invalid form is shown again as it was. */
export interface ProductFields {
  readonly name: string;
  readonly description: string;
  readonly credits: string;
  readonly price: string;
  readonly image_url: string;
  readonly sort_order: string;
  /** 小程序虚拟支付 道具 productId; empty = none. */
  readonly xpay_product_id: string;
  readonly reason: string;
}

export const fieldsOf = (p: Product): ProductFields => ({
  name: p.name,
  description: p.description,
  credits: String(p.credits),
  price: `${Math.floor(p.priceFen / 100)}.${String(p.priceFen % 100).padStart(2, '0')}`,
  image_url: p.imageUrl ?? '',
  sort_order: String(p.sortOrder),
  xpay_product_id: p.xpayProductId ?? '',
  reason: '',
});

export const EMPTY_FIELDS: ProductFields = {
  name: '',
  description: '',
  credits: '',
  price: '',
  image_url: '',
  sort_order: '0',
  xpay_product_id: '',
  reason: '',
};

export const readFields = (f: Record<string, string>): ProductFields => ({
  name: (f.name ?? '').trim(),
  description: (f.description ?? '').trim(),
  credits: (f.credits ?? '').trim(),
  price: (f.price ?? '').trim(),
  image_url: (f.image_url ?? '').trim(),
  sort_order: (f.sort_order ?? '0').trim(),
  xpay_product_id: (f.xpay_product_id ?? '').trim(),
  reason: (f.reason ?? '').trim(),
});

export type Checked = { ok: true; product: Omit<NewProduct, 'isActive'> } | { ok: false; errors: string[] };

/** The same limits as the JSON admin API (admin-schemas.ts); price in yuan with at most two decimals. */
export function checkProduct(f: ProductFields): Checked {
  const errors: string[] = [];
  if (f.name.length < 1 || f.name.length > 100) errors.push('名称须为 1–100 个字符');
  if (f.description.length > 500) errors.push('描述最多 500 个字符');
  const credits = /^\d{1,9}$/.test(f.credits) ? Number(f.credits) : Number.NaN;
  if (!(credits >= 1 && credits <= 100_000_000)) errors.push('积分须为 1–100000000 的整数');
  const priceFen: Fen | null = parseYuan(f.price);
  if (priceFen === null || priceFen <= 0 || priceFen > 100_000_000)
    errors.push('价格单位为元，最多两位小数，须大于 0 且不超过 1000000');
  if (f.image_url && (!/^https?:\/\//.test(f.image_url) || f.image_url.length > 500))
    errors.push('图片地址须以 http:// 或 https:// 开头，最多 500 个字符');
  const sortOrder = /^-?\d{1,7}$/.test(f.sort_order) ? Number(f.sort_order) : Number.NaN;
  if (!(Math.abs(sortOrder) <= 1_000_000)) errors.push('排序须为 -1000000–1000000 的整数');
  if (f.xpay_product_id && !/^[A-Za-z0-9_-]{1,64}$/.test(f.xpay_product_id))
    errors.push('虚拟支付道具 ID 须为 1–64 个字母、数字、下划线或连字符');
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    product: {
      name: f.name,
      description: f.description,
      credits,
      priceFen: priceFen as Fen,
      imageUrl: f.image_url || null,
      sortOrder,
      xpayProductId: f.xpay_product_id || null,
    },
  };
}

/** The fields an edit changes (before → after), for the audit log. */
export function changes<T extends object>(
  before: T,
  after: Partial<T>,
): { before: Partial<T>; after: Partial<T> } {
  const b: Partial<T> = {};
  const a: Partial<T> = {};
  for (const k of Object.keys(after) as (keyof T)[])
    if (after[k] !== undefined && after[k] !== before[k]) {
      b[k] = before[k];
      a[k] = after[k];
    }
  return { before: b, after: a };
}
