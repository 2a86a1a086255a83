import { hourOf } from '../../domain/figures';
import type { StatusChanges } from '../../domain/ports';
import type { StatusChange } from '../../domain/status';

export class MemoryStatusChanges implements StatusChanges {
  private readonly rows = new Map<string, StatusChange>();

  /** No await between the check and the set: first writer wins, like the Mongo `_id` insert. */
  async record(change: StatusChange): Promise<boolean> {
    const key = `${change.orderId}:${change.status}`;
    if (this.rows.has(key)) return false;
    this.rows.set(key, change);
    return true;
  }

  async list(orderId: number): Promise<StatusChange[]> {
    return [...this.rows.values()].filter((c) => c.orderId === orderId);
  }

  async inHour(hour: number): Promise<StatusChange[]> {
    return [...this.rows.values()].filter((c) => hourOf(c.at) === hour);
  }
}
