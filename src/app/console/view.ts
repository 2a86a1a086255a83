import { STATUS_TEXT } from '../../domain/csv';
import type { Fen } from '../../domain/money';
import type { OrderStatus } from '../../domain/order';
import { localDateTime } from '../../domain/time';
import { html, type SafeHtml } from './html';

/** Pieces the business pages share: money, times, status badges, form numbers. */
/** Rows per page of the business lists. */
export const LIST_SIZE = 20;

export function yuan(fen: Fen): string {
  const abs = Math.abs(fen);
  return `${fen < 0 ? '-' : ''}¥${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

export function when(at: Date | null | undefined, timeZone: string): string {
  if (!at) return '—';
  return localDateTime(at, timeZone);
}

/** "3 小时 5 分" since `at`. */
export function age(at: Date, now: Date): string {
  const minutes = Math.max(0, Math.floor((now.getTime() - at.getTime()) / 60_000));
  if (minutes < 60) return `${minutes} 分钟`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} 小时 ${minutes % 60} 分`;
  return `${Math.floor(hours / 24)} 天 ${hours % 24} 小时`;
}

export const statusBadge = (s: OrderStatus): SafeHtml =>
  html`<span class="badge status-${s}" data-status="${s}">${STATUS_TEXT[s]}</span>`;

/** Yuan as typed in a form → fen: digits with at most 2 decimals, no float arithmetic. */
export function parseYuan(text: string): Fen | null {
  const m = /^(\d{1,7})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

export const positiveInt = (text: string | undefined, max = Number.MAX_SAFE_INTEGER): number | null => {
  if (text === undefined || !/^\d{1,15}$/.test(text.trim())) return null;
  const n = Number(text.trim());
  return n >= 1 && n <= max ? n : null;
};

export const emptyRow = (cols: number, text = '没有数据'): SafeHtml =>
  html`<tr><td colspan="${cols}" class="muted">${text}</td></tr>`;

/** A list's query parameters to keep in its page links (all but `page`). */
export function keep(query: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(query)) if (v && k !== 'page') out[k] = v;
  return out;
}
