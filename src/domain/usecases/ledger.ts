import type { DomainError } from '../errors';
import { type EntryRequest, type LedgerEntry, nextEntry } from '../ledger';
import { err, ok, type Result } from '../result';
import type { Deps } from './deps';

/** Each round has exactly one winner per user, so 100 rounds cover 100 truly simultaneous writers. */
const MAX_ROUNDS = 100;

/**
 * Appends one entry exactly once per idempotency key, never below zero, gap-free per user. Relies
 * only on unique-index inserts: read head → compute next → insert; a duplicate means someone else
 * won that seq (or that key), so re-read and decide again.
 */
export async function appendEntry(
  deps: Pick<Deps, 'ledger' | 'clock'>,
  req: EntryRequest,
): Promise<Result<{ entry: LedgerEntry; created: boolean }, DomainError>> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const existing = await deps.ledger.findByKey(req.idempotencyKey);
    if (existing) return ok({ entry: existing, created: false });
    const head = await deps.ledger.head(req.userId);
    const next = nextEntry(head, req, deps.clock.now());
    if (!next.ok) return next;
    const inserted = await deps.ledger.insert(next.value);
    if (inserted !== 'duplicate') return ok({ entry: inserted, created: true });
  }
  return err({ kind: 'contention', message: `ledger of user ${req.userId} is too busy` });
}
