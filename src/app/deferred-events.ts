import type { PaymentEvents } from '../domain/ports';
import type { Log } from './logger';

export interface DeferredPaymentEvents extends PaymentEvents {
  /** Waits until every record handed over so far is written (shutdown, and before each read). */
  drain(): Promise<void>;
}

/**
 * Payment events written after the answer instead of before it: `record` starts the insert and
 * returns, so a paying user never waits for the timeline (one insert was a third of a pay request).
 * Reads of this process first wait for its inserts still in flight, so what a request recorded is on
 * the timeline read after it. At most `maxInFlight` inserts run at once; beyond that `record` waits
 * (memory stays bounded when the database is slow). A failed insert is logged and dropped — the
 * timeline is a diagnosis aid; the money records it points at are written by their own inserts.
 * What a process that dies holds in flight is lost (at most a few milliseconds' worth).
 */
export function deferredPaymentEvents(
  store: PaymentEvents,
  log: Log,
  maxInFlight = 1000,
): DeferredPaymentEvents {
  const inFlight = new Set<Promise<void>>();
  const drain = async () => {
    while (inFlight.size > 0) await Promise.all([...inFlight]);
  };
  return {
    async record(event) {
      while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
      const write: Promise<void> = store
        .record(event)
        .catch((e: unknown) =>
          log('timeline.record_failed', {
            order_no: event.orderNo,
            action: event.action,
            error: e instanceof Error ? e.message : String(e),
          }),
        )
        .finally(() => inFlight.delete(write));
      inFlight.add(write);
    },
    async listByOrder(orderNo, page) {
      await drain();
      return store.listByOrder(orderNo, page);
    },
    async listUnmatched(day, page) {
      await drain();
      return store.listUnmatched(day, page);
    },
    purge: (now) => store.purge(now),
    drain,
  };
}
