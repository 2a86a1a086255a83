import { balanceOf, type LedgerEntry } from '../ledger';
import type { Page } from '../ports';
import type { Deps } from './deps';

export function creditBalance(deps: Pick<Deps, 'ledger'>) {
  return async (userId: number): Promise<number> => balanceOf(await deps.ledger.head(userId));
}

export function listTransactions(deps: Pick<Deps, 'ledger'>) {
  return (userId: number, page: Page): Promise<LedgerEntry[]> => deps.ledger.list(userId, page);
}
