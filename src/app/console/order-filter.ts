import type { OrderStatus } from '../../domain/order';
import type { OrderFilter } from '../../domain/ports';
import { parseBound } from '../http/date-range';
import { parseYuan, positiveInt } from './view';

export const ORDER_STATUSES: readonly OrderStatus[] = [
  'pending',
  'paid',
  'completed',
  'cancelled',
  'refunded',
];

/** The search form's fields as typed; every one optional, all of them must match. */
export interface OrderQuery {
  readonly order_no?: string;
  readonly user_id?: string;
  readonly status?: string;
  readonly from?: string;
  readonly to?: string;
  readonly amount?: string;
}

const FIELDS = ['order_no', 'user_id', 'status', 'from', 'to', 'amount'] as const;

export function readOrderQuery(q: Record<string, string | undefined>): OrderQuery {
  const out: Record<string, string> = {};
  for (const k of FIELDS) {
    const v = (q[k] ?? '').trim();
    if (v) out[k] = v.slice(0, 64);
  }
  return out;
}

/**
 * The search as an OrderFilter: dates are whole days in the service's time zone (`to` inclusive),
 * the amount is in yuan (exact). Each field that does not parse is named in `errors`.
 */
export function orderFilterOf(q: OrderQuery, timeZone: string): { filter: OrderFilter; errors: string[] } {
  const errors: string[] = [];
  const filter: { -readonly [K in keyof OrderFilter]: OrderFilter[K] } = {};
  if (q.order_no) filter.orderNo = q.order_no;
  if (q.user_id) {
    const id = positiveInt(q.user_id);
    if (id) filter.userId = id;
    else errors.push('用户 ID 须为正整数');
  }
  if (q.status) {
    if ((ORDER_STATUSES as readonly string[]).includes(q.status)) filter.status = q.status as OrderStatus;
    else errors.push('状态无效');
  }
  for (const edge of ['from', 'to'] as const) {
    const raw = q[edge];
    if (!raw) continue;
    const at = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? parseBound(raw, timeZone, edge) : undefined;
    if (at) filter[edge === 'from' ? 'createdFrom' : 'createdTo'] = at;
    else errors.push(`${edge === 'from' ? '开始' : '结束'}日期应为 YYYY-MM-DD`);
  }
  if (filter.createdFrom && filter.createdTo && filter.createdFrom >= filter.createdTo)
    errors.push('开始日期不能晚于结束日期');
  if (q.amount) {
    const fen = parseYuan(q.amount);
    if (fen !== null) filter.amountFen = fen;
    else errors.push('金额单位为元，最多两位小数');
  }
  return { filter, errors };
}
