import type { Deps } from '../domain/usecases/deps';

interface Purgeable {
  purge(now: Date): Promise<void>;
}

/**
 * Deletes what the abuse limits leave behind once it has expired — rate-window slots, once-keys
 * (login codes, used refresh tokens, used TOTP steps), daily tallies, console sessions and login
 * locks — payment events past TIMELINE_RETENTION_DAYS, and whatever `more` holds (access tokens,
 * alerts past ALERT_RETENTION_DAYS), every `intervalMs` in each instance. FerretDB
 * has no TTL index; each adapter deletes by equality on an expiry minute, from where the last pass
 * of any instance stopped, so several instances doing it at once only repeat harmless deletes.
 */
export function startHousekeeping(
  deps: Pick<Deps, 'rateWindows' | 'onceKeys' | 'spendTallies' | 'paymentEvents' | 'clock' | 'log'> & {
    readonly operatorSessions?: Purgeable;
    readonly loginLocks?: Purgeable;
  },
  intervalMs = 60_000,
  more: readonly { purge(now: Date): Promise<void> }[] = [],
): () => Promise<void> {
  let running: Promise<unknown> | undefined;
  const pass = async () => {
    const now = deps.clock.now();
    const stores = [
      deps.rateWindows,
      deps.onceKeys,
      deps.spendTallies,
      deps.paymentEvents,
      deps.operatorSessions,
      deps.loginLocks,
      ...more,
    ];
    for (const store of stores) await store?.purge(now);
  };
  const timer = setInterval(() => {
    if (running) return;
    running = pass()
      .catch((e) => deps.log('housekeeping.failed', { error: e instanceof Error ? e.message : String(e) }))
      .finally(() => {
        running = undefined;
      });
  }, intervalMs);
  return async () => {
    clearInterval(timer);
    await running;
  };
}
