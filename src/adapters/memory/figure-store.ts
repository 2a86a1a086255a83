import type { CreditSnapshot, HourFigures } from '../../domain/figures';
import type { FigureStore } from '../../domain/ports';

export class MemoryFigureStore implements FigureStore {
  private readonly hours = new Map<number, HourFigures>();
  private readonly snapshots = new Map<number, CreditSnapshot>();

  async saveHour(hour: number, figures: HourFigures): Promise<void> {
    if (!this.hours.has(hour)) this.hours.set(hour, figures);
  }

  async hour(hour: number): Promise<HourFigures | null> {
    return this.hours.get(hour) ?? null;
  }

  async saveSnapshot(snapshot: CreditSnapshot): Promise<void> {
    if (!this.snapshots.has(snapshot.throughHour)) this.snapshots.set(snapshot.throughHour, snapshot);
  }

  async latestSnapshot(): Promise<CreditSnapshot | null> {
    let best: CreditSnapshot | null = null;
    for (const s of this.snapshots.values()) if (!best || s.throughHour > best.throughHour) best = s;
    return best;
  }
}
