import type { DomainError } from '../errors';
import { balanceOf, type EntryRequest, type LedgerEntry, nextEntry } from '../ledger';
import { err, ok, type Result } from '../result';
import type { Deps } from './deps';

/** Each round has exactly one winner per user, so 100 rounds cover 100 truly simultaneous writers. */
const MAX_ROUNDS = 100;

type Appended = Result<{ entry: LedgerEntry; created: boolean }, DomainError>;

/**
 * Appends one entry exactly once per idempotency key, never below zero, gap-free per user. Relies
 * only on unique-index inserts: read head → compute next → insert; a duplicate means someone else
 * won that seq (or that key), so re-read and decide again.
 */
export function appendEntry(deps: Pick<Deps, 'ledger' | 'clock'>, req: EntryRequest): Promise<Appended> {
  return appendFromBalance(deps, req, () => ok(req));
}

/**
 * appendEntry whose amount is decided from the balance it lands on. The decision is taken against the
 * exact head the entry is inserted after (the unique seq guarantees nothing slipped in between), and
 * once the key exists it is never taken again: every later caller gets the recorded entry.
 */
export async function appendFromBalance(
  deps: Pick<Deps, 'ledger' | 'clock'>,
  key: Pick<EntryRequest, 'userId' | 'idempotencyKey'>,
  decide: (balance: number) => Result<EntryRequest, DomainError>,
): Promise<Appended> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const existing = await deps.ledger.findByKey(key.idempotencyKey);
    if (existing) return ok({ entry: existing, created: false });
    const head = await deps.ledger.head(key.userId);
    const req = decide(balanceOf(head));
    const next = req.ok ? nextEntry(head, req.value, deps.clock.now()) : req;
    if (!next.ok) {
      // The balance may be low because a concurrent writer of this very key just took it: then that
      // entry is the answer, not a refusal.
      const raced = await deps.ledger.findByKey(key.idempotencyKey);
      return raced ? ok({ entry: raced, created: false }) : next;
    }
    const inserted = await deps.ledger.insert(next.value);
    if (inserted !== 'duplicate') return ok({ entry: inserted, created: true });
  }
  return err({ kind: 'contention', message: `ledger of user ${key.userId} is too busy` });
}

/**
 * `appendEntry` for a key the client chose (consume, admin adjustments): a repeated key must repeat
 * the same request, and a different request under it is `idempotency_conflict` — answering with the
 * first result would hide the client's bug. Not inside `appendEntry`: the refund deduction retries its
 * own key with an amount recomputed from the balance, and must get the existing entry back.
 */
export async function appendClientEntry(
  deps: Pick<Deps, 'ledger' | 'clock'>,
  req: EntryRequest,
): Promise<Result<LedgerEntry, DomainError>> {
  const appended = await appendEntry(deps, req);
  if (!appended.ok) return appended;
  const { entry } = appended.value;
  const same =
    entry.userId === req.userId &&
    entry.type === req.type &&
    entry.amount === req.amount &&
    entry.description === req.description;
  return same ? ok(entry) : err({ kind: 'idempotency_conflict' });
}
