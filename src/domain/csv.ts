import type { LedgerEntry } from './ledger';
import type { Fen } from './money';
import type { Order, OrderStatus } from './order';
import { localDateTime } from './time';

/**
 * CSV for Excel and for scripts: UTF-8 with a BOM (Excel reads it as UTF-8 only then), RFC 4180
 * (comma, CRLF, fields with a comma, quote, CR or LF quoted, quotes doubled). Text a user or
 * operator typed that starts with = + - @ TAB or CR gets a leading `'` so a spreadsheet shows it
 * instead of running it as a formula; numbers we format ourselves are left alone.
 */
export const CSV_BOM = '\uFEFF';
/** Rows per export at most; a longer result ends with a row saying it was cut (narrow the filter). */
export const CSV_MAX_ROWS = 10_000;
export const CSV_PAGE_SIZE = 500;

/** A text cell, an integer, nothing, or an amount in fen written as yuan with 2 decimals. */
export type Cell = string | number | null | { readonly fen: Fen };

const FORMULA_START = /^[=+\-@\t\r]/;

export function yuanText(fen: Fen): string {
  const abs = Math.abs(fen);
  return `${fen < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/**
 * Excel turns a long run of digits into a number: from 12 digits it shows `4.20063E+27`, past 15 it
 * loses digits for good, and WeChat transaction ids (支付单号) are 28 digits an operator matches
 * against WeChat's bill. Such cells are written as the text formula `="…"`, which Excel, LibreOffice
 * and Numbers all show as the digits.
 */
const LONG_DIGITS = /^\d{12,}$/;

export function csvCell(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return String(cell);
  if (typeof cell === 'object') return yuanText(cell.fen);
  if (LONG_DIGITS.test(cell)) return `"=""${cell}"""`;
  const text = FORMULA_START.test(cell) ? `'${cell}` : cell;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLine = (cells: readonly Cell[]): string => `${cells.map(csvCell).join(',')}\r\n`;

export function csvTime(at: Date | null, timeZone: string): string | null {
  if (!at) return null;
  return localDateTime(at, timeZone);
}

export const STATUS_TEXT: Readonly<Record<OrderStatus, string>> = {
  pending: '待支付',
  paid: '已支付',
  completed: '已完成',
  cancelled: '已取消',
  refunded: '已退款',
};

export const ENTRY_TEXT: Readonly<Record<LedgerEntry['type'], string>> = {
  purchase: '购买',
  consume: '消费',
  refund: '退款',
  adjust: '调整',
};

export const ORDER_HEADER = [
  '订单号',
  '订单ID',
  '用户ID',
  '商品',
  '积分',
  '金额(元)',
  '状态',
  '支付单号',
  '创建时间',
  '支付时间',
  '退款时间',
];

export const orderRow = (o: Order, tz: string): Cell[] => [
  o.orderNo,
  o.id,
  o.userId,
  o.productName,
  o.credits,
  { fen: o.amountFen },
  STATUS_TEXT[o.status],
  o.paymentId,
  csvTime(o.createdAt, tz),
  csvTime(o.paymentTime, tz),
  csvTime(o.refundTime, tz),
];

export const LEDGER_HEADER = ['流水ID', '序号', '时间', '类型', '积分变动', '余额', '说明', '关联订单ID'];

export const ledgerRow = (e: LedgerEntry, tz: string): Cell[] => [
  e.id,
  e.seq,
  csvTime(e.createdAt, tz),
  ENTRY_TEXT[e.type],
  e.amount,
  e.balanceAfter,
  e.description,
  e.relatedOrderId,
];

export const TRUNCATED_ROW = [`（已达导出上限 ${CSV_MAX_ROWS} 行，结果不完整，请缩小筛选条件）`];
