import type { OnceKeys, PendingSlots, RateWindows, SpendTallies } from '../../domain/ports';
import { windowOf } from '../../domain/window';

/**
 * Counts per window; no await between the check and the increment, which is what makes it exact here.
 * Several instances may share one `store`, as several API processes share one database.
 */
export class MemoryRateWindows implements RateWindows {
  constructor(private readonly store = new Map<string, { used: number; end: number }>()) {}

  async take(key: string, limit: number, windowSeconds: number, now: Date): Promise<boolean> {
    const { start, end } = windowOf(now, windowSeconds);
    const id = `${key}|${windowSeconds}|${start}`;
    const window = this.store.get(id) ?? { used: 0, end };
    if (window.used >= limit) return false;
    this.store.set(id, { used: window.used + 1, end });
    return true;
  }

  async exhausted(key: string, limit: number, windowSeconds: number, now: Date): Promise<boolean> {
    const { start } = windowOf(now, windowSeconds);
    return (this.store.get(`${key}|${windowSeconds}|${start}`)?.used ?? 0) >= limit;
  }

  async purge(now: Date): Promise<void> {
    for (const [id, w] of this.store) if (w.end <= now.getTime()) this.store.delete(id);
  }
}

export class MemoryOnceKeys implements OnceKeys {
  private readonly rows = new Map<string, { note: string | null; until: Date }>();

  async claim(key: string, until: Date): Promise<{ first: true } | { first: false; note: string | null }> {
    const row = this.rows.get(key);
    if (row) return { first: false, note: row.note };
    this.rows.set(key, { note: null, until });
    return { first: true };
  }

  async note(key: string, note: string): Promise<void> {
    const row = this.rows.get(key);
    if (row) this.rows.set(key, { ...row, note });
  }

  async purge(now: Date): Promise<void> {
    for (const [key, row] of this.rows) if (row.until <= now) this.rows.delete(key);
  }
}

export class MemoryPendingSlots implements PendingSlots {
  private readonly holders = new Map<string, { userId: number; claimedAt: Date }>();
  /** An order number claims once: after its release it never holds a slot again. */
  private readonly released = new Set<string>();

  async claim(userId: number, orderNo: string, limit: number, now: Date): Promise<boolean> {
    if (this.holders.has(orderNo)) return true;
    if (this.released.has(orderNo)) return false;
    const held = [...this.holders.values()].filter((h) => h.userId === userId).length;
    if (held >= limit) return false;
    this.holders.set(orderNo, { userId, claimedAt: now });
    return true;
  }

  async release(orderNo: string): Promise<void> {
    if (this.holders.delete(orderNo)) this.released.add(orderNo);
  }

  async held(userId: number): Promise<{ orderNo: string; claimedAt: Date }[]> {
    return [...this.holders]
      .filter(([, h]) => h.userId === userId)
      .map(([orderNo, h]) => ({ orderNo, claimedAt: h.claimedAt }));
  }
}

export class MemorySpendTallies implements SpendTallies {
  private readonly entries = new Map<string, { tally: string; amount: number }>();

  async add(userId: number, day: string, key: string, amountFen: number, capFen: number): Promise<boolean> {
    if (this.entries.has(key)) return true;
    const tally = `${userId}:${day}`;
    if (this.total(tally) + amountFen > capFen) return false;
    this.entries.set(key, { tally, amount: amountFen });
    return true;
  }

  async remove(_userId: number, _day: string, key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (entry && !this.entries.has(`-${key}`))
      this.entries.set(`-${key}`, { ...entry, amount: -entry.amount });
  }

  /** Days are kept for the life of the process: memory storage is for tests and development. */
  async purge(): Promise<void> {}

  private total(tally: string): number {
    let sum = 0;
    for (const e of this.entries.values()) if (e.tally === tally) sum += e.amount;
    return sum;
  }
}
