import type { AlertPatch, AlertState, DeliveryAttempt, StoredAlert } from '../../domain/alert';
import type { AlertOutbox, Page } from '../../domain/ports';
import { newestFirstBy } from '../../domain/time';

const newestFirst = newestFirstBy<StoredAlert>(
  (a) => a.raisedAt,
  (a) => a.id,
);

/** The outbox in memory (tests, single process): the same first-insert-wins rules as the mongo one. */
export class MemoryAlertOutbox implements AlertOutbox {
  private readonly alerts = new Map<string, StoredAlert>();
  private readonly history = new Map<string, DeliveryAttempt>();

  async add(alert: StoredAlert): Promise<boolean> {
    if (this.alerts.has(alert.id)) return false;
    this.alerts.set(alert.id, alert);
    return true;
  }

  async find(id: string): Promise<StoredAlert | null> {
    return this.alerts.get(id) ?? null;
  }

  async listByState(state: AlertState, limit: number): Promise<StoredAlert[]> {
    return [...this.alerts.values()]
      .filter((a) => a.state === state)
      .sort((a, b) => newestFirst(b, a))
      .slice(0, limit);
  }

  async list(filter: { readonly state?: AlertState }, page: Page): Promise<StoredAlert[]> {
    return [...this.alerts.values()]
      .filter((a) => !filter.state || a.state === filter.state)
      .sort(newestFirst)
      .slice(page.skip, page.skip + page.limit);
  }

  async project(id: string, patch: AlertPatch): Promise<void> {
    const alert = this.alerts.get(id);
    if (alert) this.alerts.set(id, { ...alert, ...patch });
  }

  async claim(id: string, minute: number, at: Date): Promise<boolean> {
    const key = `${id}@${minute}`;
    if (this.history.has(key)) return false;
    this.history.set(key, { alertId: id, minute, stage: 'claim', at, error: null });
    return true;
  }

  async record(attempt: DeliveryAttempt): Promise<void> {
    const key = `${attempt.alertId}@${attempt.minute}:${attempt.stage}`;
    if (!this.history.has(key)) this.history.set(key, attempt);
  }

  async attempts(id: string): Promise<DeliveryAttempt[]> {
    return [...this.history.values()].filter((a) => a.alertId === id);
  }

  async purge(before: Date): Promise<void> {
    for (const [id, a] of this.alerts) if (a.raisedAt < before) this.alerts.delete(id);
    for (const [key, a] of this.history) if (a.at < before) this.history.delete(key);
  }
}
