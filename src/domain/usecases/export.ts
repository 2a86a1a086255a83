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
 * The BOM and header first, then the rows in chunks of `pageSize`. Never more than `maxRows` rows
 * (then a last row says the export was cut); `items` is read as the rows go out (the Mongo order
 * store holds one hour of orders at a time).
 */
async function* csvOf<T>(
  header: readonly string[],
  items: AsyncIterable<T>,
  row: (item: T) => Cell[],
  limits: ExportLimits,
): AsyncGenerator<string> {
  yield CSV_BOM + csvLine(header);
  let chunk: string[] = [];
  let rows = 0;
  for await (const item of items) {
    if (rows === limits.maxRows) {
      // One more than is left: the export is being cut. Leaving the loop closes `items`.
      yield chunk.join('') + csvLine(TRUNCATED_ROW);
      return;
    }
    chunk.push(csvLine(row(item)));
    rows++;
    if (chunk.length === limits.pageSize) {
      yield chunk.join('');
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk.join('');
}

/** The items of `read`'s pages, one page read at a time, until a short page. */
async function* paged<T>(read: (page: Page) => Promise<T[]>, pageSize: number): AsyncGenerator<T> {
  for (let skip = 0; ; skip += pageSize) {
    const items = await read({ skip, limit: pageSize });
    yield* items;
    if (items.length < pageSize) return;
  }
}

export function exportOrders(deps: Pick<Deps, 'orders' | 'settings'>, limits: ExportLimits = LIMITS) {
  return (filter: OrderFilter): AsyncGenerator<string> =>
    csvOf(ORDER_HEADER, deps.orders.streamSearch(filter), (o) => orderRow(o, deps.settings.timeZone), limits);
}

export function exportLedger(deps: Pick<Deps, 'ledger' | 'settings'>, limits: ExportLimits = LIMITS) {
  return (userId: number): AsyncGenerator<string> =>
    csvOf(
      LEDGER_HEADER,
      paged((page) => deps.ledger.list(userId, page), limits.pageSize),
      (e) => ledgerRow(e, deps.settings.timeZone),
      limits,
    );
}
