import type { CallBudget, Check, Checks, Page, Reviews } from '../../domain/ports';
import type { NewReview, Review } from '../../domain/review';
import { reviewId } from '../../domain/review';
import { newestFirstBy } from '../../domain/time';

/** The same keys as the Mongo adapters (`<minute>:<order no>`), so the contract suite means the same. */
export class MemoryChecks implements Checks {
  private readonly rows = new Map<string, Check>();
  private hint: number | null = null;
  private readonly claimed = new Set<string>();

  async schedule(check: Check): Promise<void> {
    const key = `${check.dueMinute}:${check.orderNo}`;
    if (!this.rows.has(key)) this.rows.set(key, check);
  }

  async due(minute: number, limit: number): Promise<Check[]> {
    return [...this.rows.values()].filter((c) => c.dueMinute === minute).slice(0, limit);
  }

  private readonly claims = new Set<string>();

  async claim(check: Check, runMinute: number): Promise<boolean> {
    const key = `${runMinute}:${check.dueMinute}:${check.orderNo}`;
    if (this.claims.has(key)) return false;
    this.claims.add(key);
    return true;
  }

  async forgetClaims(runMinute: number): Promise<void> {
    for (const key of this.claims) if (key.startsWith(`${runMinute}:`)) this.claims.delete(key);
  }

  async complete(check: Check): Promise<void> {
    this.rows.delete(`${check.dueMinute}:${check.orderNo}`);
  }

  async cursor(): Promise<number | null> {
    return this.hint;
  }

  async setCursor(minute: number): Promise<void> {
    this.hint = minute;
  }

  async claimOnce(name: string): Promise<boolean> {
    if (this.claimed.has(name)) return false;
    this.claimed.add(name);
    return true;
  }

  async wasClaimed(name: string): Promise<boolean> {
    return this.claimed.has(name);
  }
}

export class MemoryCallBudget implements CallBudget {
  private readonly taken = new Map<number, number>();

  async take(minute: number, limit: number): Promise<boolean> {
    const used = this.taken.get(minute) ?? 0;
    if (used >= limit) return false;
    this.taken.set(minute, used + 1);
    return true;
  }

  async forget(minute: number): Promise<void> {
    this.taken.delete(minute);
  }
}

export class MemoryReviews implements Reviews {
  private readonly rows = new Map<string, Review>();

  async open(review: NewReview): Promise<void> {
    const id = reviewId(review.orderId, review.reason);
    if (!this.rows.has(id)) this.rows.set(id, { ...review, id, resolvedAt: null, resolution: null });
  }

  async list(filter: { readonly openOnly?: boolean }, page: Page): Promise<Review[]> {
    return [...this.rows.values()]
      .filter((r) => !filter.openOnly || r.resolvedAt === null)
      .sort(
        newestFirstBy(
          (r) => r.createdAt,
          (r) => r.id,
        ),
      )
      .slice(page.skip, page.skip + page.limit);
  }

  async find(id: string): Promise<Review | null> {
    return this.rows.get(id) ?? null;
  }

  async resolve(id: string, note: string, at: Date): Promise<Review | null> {
    const review = this.rows.get(id);
    if (!review) return null;
    const resolved = { ...review, resolvedAt: at, resolution: note };
    this.rows.set(id, resolved);
    return resolved;
  }

  async *scan(): AsyncIterable<Review> {
    yield* [...this.rows.values()];
  }
}
