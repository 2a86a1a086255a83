import {
  type Cell,
  CSV_BOM,
  CSV_MAX_ROWS,
  CSV_PAGE_SIZE,
  csvLine,
  LEDGER_HEADER,
  ledgerRow,
  ORDER_HEADER,
  orderRow,
  TRUNCATED_ROW,
} from '../csv';
import type { OrderFilter, Page } from '../ports';
import type { Deps } from './deps';

export interface ExportLimits {
  readonly pageSize: number;
  readonly maxRows: number;
}
const LIMITS: ExportLimits = { pageSize: CSV_PAGE_SIZE, maxRows: CSV_MAX_ROWS };

/**
 * One chunk per page read: the BOM and header first, then the rows of each page. Never more than
 * `maxRows` rows (then a last row says the export was cut) and never more than one page in memory.
 */
async function* pagedCsv<T>(
  header: readonly string[],
  read: (page: Page) => Promise<T[]>,
  row: (item: T) => Cell[],
  limits: ExportLimits,
): AsyncGenerator<string> {
  yield CSV_BOM + csvLine(header);
  for (let skip = 0; ; skip += limits.pageSize) {
    const left = limits.maxRows - skip;
    // One more than is left tells whether the export is being cut.
    const items = await read({ skip, limit: Math.min(limits.pageSize, left + 1) });
    const kept = items.slice(0, Math.max(0, left));
    if (kept.length > 0) yield kept.map((i) => csvLine(row(i))).join('');
    if (items.length > kept.length) {
      yield csvLine(TRUNCATED_ROW);
      return;
    }
    if (items.length < limits.pageSize) return;
  }
}

export function exportOrders(deps: Pick<Deps, 'orders' | 'settings'>, limits: ExportLimits = LIMITS) {
  return (filter: OrderFilter): AsyncGenerator<string> =>
    pagedCsv(
      ORDER_HEADER,
      (page) => deps.orders.search(filter, page),
      (o) => orderRow(o, deps.settings.timeZone),
      limits,
    );
}

export function exportLedger(deps: Pick<Deps, 'ledger' | 'settings'>, limits: ExportLimits = LIMITS) {
  return (userId: number): AsyncGenerator<string> =>
    pagedCsv(
      LEDGER_HEADER,
      (page) => deps.ledger.list(userId, page),
      (e) => ledgerRow(e, deps.settings.timeZone),
      limits,
    );
}
