import type { DomainError } from '../errors';
import type { LedgerEntry } from '../ledger';
import type { Order } from '../order';
import type { Edit, OrderFilter, Page, UserPatch } from '../ports';
import type { NewProduct, Product } from '../product';
import { err, ok, type Result } from '../result';
import type { Review } from '../review';
import type { User } from '../user';
import type { Deps } from './deps';
import { appendClientEntry } from './ledger';

/** Only an admin passes; the role is read from storage on every request, so a demotion applies at once. */
export const requireAdmin = (user: User): Result<User, DomainError> =>
  user.role === 'admin' ? ok(user) : err({ kind: 'forbidden' });

export function createProduct(deps: Pick<Deps, 'products' | 'clock'>) {
  return (product: NewProduct): Promise<Product> => deps.products.create(product, deps.clock.now());
}

const editError = (e: Exclude<Edit<unknown>, { ok: true }>['error'], missing: DomainError): DomainError =>
  e.kind === 'not_found' ? missing : e;

/**
 * Deactivating is an update of `isActive`: orders keep their snapshot, so nothing is ever deleted.
 * `expectedVersion` (the version the admin's edit was based on) turns a concurrent edit into a 409.
 */
export function updateProduct(deps: Pick<Deps, 'products' | 'clock'>) {
  return async (
    id: number,
    patch: Partial<NewProduct>,
    expectedVersion?: number,
  ): Promise<Result<Product, DomainError>> => {
    const updated = await deps.products.update(id, patch, deps.clock.now(), expectedVersion);
    return updated.ok ? updated : err(editError(updated.error, { kind: 'product_not_found' }));
  };
}

/** Disabling also ends every session, so enabling the user again does not bring old tokens back. */
export function updateUser(deps: Pick<Deps, 'users' | 'clock'>) {
  return async (
    id: number,
    patch: UserPatch,
    expectedVersion?: number,
  ): Promise<Result<User, DomainError>> => {
    const updated = await deps.users.update(id, patch, deps.clock.now(), expectedVersion);
    if (!updated.ok) return err(editError(updated.error, { kind: 'account_not_found' }));
    if (patch.isActive !== false) return updated;
    const ended = await deps.users.endSessions(id, 'all', deps.clock.now());
    return ended ? ok(ended) : err({ kind: 'account_not_found' });
  };
}

export function findUser(deps: Pick<Deps, 'users'>) {
  return async (id: number): Promise<Result<User, DomainError>> => {
    const user = await deps.users.findById(id);
    return user ? ok(user) : err({ kind: 'account_not_found' });
  };
}

export function searchOrders(deps: Pick<Deps, 'orders'>) {
  return (filter: OrderFilter, page: Page): Promise<Order[]> => deps.orders.search(filter, page);
}

export interface Adjustment {
  readonly amount: number;
  readonly reason: string;
  readonly idempotencyKey: string;
}

/**
 * A manual correction, as one `adjust` ledger entry: never below zero; a repeated key returns the
 * first entry, and the key reused for a different amount or reason is a conflict (as for consume).
 * Keys are scoped per target user, so reusing a key for another user is a new adjustment.
 */
export function adjustCredits(deps: Pick<Deps, 'users' | 'ledger' | 'clock'>) {
  return async (userId: number, adj: Adjustment): Promise<Result<LedgerEntry, DomainError>> => {
    if (!(await deps.users.findById(userId))) return err({ kind: 'account_not_found' });
    return appendClientEntry(deps, {
      userId,
      amount: adj.amount,
      type: 'adjust',
      description: adj.reason,
      relatedOrderId: null,
      idempotencyKey: `adjust:${userId}:${adj.idempotencyKey}`,
    });
  };
}

export function userTransactions(deps: Pick<Deps, 'users' | 'ledger'>) {
  return async (userId: number, page: Page): Promise<Result<LedgerEntry[], DomainError>> => {
    if (!(await deps.users.findById(userId))) return err({ kind: 'account_not_found' });
    return ok(await deps.ledger.list(userId, page));
  };
}

export function listReviews(deps: Pick<Deps, 'reviews'>) {
  return (openOnly: boolean, page: Page): Promise<Review[]> => deps.reviews.list({ openOnly }, page);
}

/** Closes a review with the human's note; resolving it again replaces the note. */
export function resolveReview(deps: Pick<Deps, 'reviews' | 'clock'>) {
  return async (id: string, note: string): Promise<Result<Review, DomainError>> => {
    const resolved = await deps.reviews.resolve(id, note, deps.clock.now());
    return resolved ? ok(resolved) : err({ kind: 'review_not_found' });
  };
}
