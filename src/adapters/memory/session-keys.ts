import type { SessionKeys } from '../../domain/ports';

/** The newest value per user (one process: a plain overwrite is the last login). */
export class MemorySessionKeys implements SessionKeys {
  private readonly keys = new Map<number, string>();

  async save(userId: number, value: string, _at: Date): Promise<void> {
    this.keys.set(userId, value);
  }

  async latest(userId: number): Promise<string | null> {
    return this.keys.get(userId) ?? null;
  }
}
