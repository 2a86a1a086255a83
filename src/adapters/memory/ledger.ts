import { hourOf } from '../../domain/figures';
import type { LedgerEntry, NewLedgerEntry } from '../../domain/ledger';
import type { Ledger, Page } from '../../domain/ports';

/** Enforces the same two unique constraints as the Mongo indexes, so the contract suite means the same. */
export class MemoryLedger implements Ledger {
  private readonly rows: LedgerEntry[] = [];

  async head(userId: number): Promise<LedgerEntry | null> {
    return this.byUser(userId)[0] ?? null;
  }

  async findByKey(idempotencyKey: string): Promise<LedgerEntry | null> {
    return this.rows.find((e) => e.idempotencyKey === idempotencyKey) ?? null;
  }

  async insert(entry: NewLedgerEntry): Promise<LedgerEntry | 'duplicate'> {
    const taken = this.rows.some(
      (e) => e.idempotencyKey === entry.idempotencyKey || (e.userId === entry.userId && e.seq === entry.seq),
    );
    if (taken) return 'duplicate';
    const created = { ...entry, id: this.rows.length + 1 };
    this.rows.push(created);
    return created;
  }

  async list(userId: number, page: Page): Promise<LedgerEntry[]> {
    return this.byUser(userId).slice(page.skip, page.skip + page.limit);
  }

  async *scanUser(userId: number): AsyncIterable<LedgerEntry> {
    yield* this.byUser(userId).reverse();
  }

  async inHour(hour: number): Promise<LedgerEntry[]> {
    return this.rows.filter((e) => hourOf(e.createdAt) === hour);
  }

  private byUser(userId: number): LedgerEntry[] {
    return this.rows.filter((e) => e.userId === userId).sort((a, b) => b.seq - a.seq);
  }
}
