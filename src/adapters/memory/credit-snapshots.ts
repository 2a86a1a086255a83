import type { CreditSnapshot } from '../../domain/figures';
import type { CreditSnapshots } from '../../domain/ports';

export class MemoryCreditSnapshots implements CreditSnapshots {
  private readonly rows = new Map<number, CreditSnapshot>();

  async save(snapshot: CreditSnapshot): Promise<void> {
    if (!this.rows.has(snapshot.throughHour)) this.rows.set(snapshot.throughHour, snapshot);
  }

  async latest(): Promise<CreditSnapshot | null> {
    let best: CreditSnapshot | null = null;
    for (const s of this.rows.values()) if (!best || s.throughHour > best.throughHour) best = s;
    return best;
  }
}
