import type { DomainError } from '../errors';
import { balanceOf, type LedgerEntry } from '../ledger';
import type { Page } from '../ports';
import type { Result } from '../result';
import type { Deps } from './deps';
import { appendClientEntry } from './ledger';

export function creditBalance(deps: Pick<Deps, 'ledger'>) {
  return async (userId: number): Promise<number> => balanceOf(await deps.ledger.head(userId));
}

export function listTransactions(deps: Pick<Deps, 'ledger'>) {
  return (userId: number, page: Page): Promise<LedgerEntry[]> => deps.ledger.list(userId, page);
}

export interface ConsumeRequest {
  readonly amount: number;
  readonly description: string;
  readonly idempotencyKey: string;
}

/**
 * Spends credits: never below zero, and a repeated idempotency key returns the first result instead
 * of spending twice. Keys are scoped per user, so one user's key can never collide with another's.
 */
export function consumeCredits(deps: Pick<Deps, 'ledger' | 'clock'>) {
  return async (userId: number, req: ConsumeRequest): Promise<Result<LedgerEntry, DomainError>> => {
    return appendClientEntry(deps, {
      userId,
      amount: -req.amount,
      type: 'consume',
      description: req.description,
      relatedOrderId: null,
      idempotencyKey: `consume:${userId}:${req.idempotencyKey}`,
    });
  };
}
