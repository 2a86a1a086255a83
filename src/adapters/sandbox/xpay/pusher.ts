// Push delivery as WeChat does it for xpay: each event is pushed to the API's message-push URL until
// it answers success, at most 15 tries on a (scaled) schedule; with faults, extra copies at once or
// one after another.
import type { XpayPushFaults } from './faults';

/** The mini-game goods-delivery schedule (brief §1.8): 14 gaps between 15 tries, in seconds. */
export const XPAY_RETRY_GAPS_S = [
  15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600,
];

/** One delivery of one message with its retries (wxpush's `sendPush`, bound to the URL and credentials). */
export type SendPush = (
  message: object,
  opts: {
    readonly retryDelaysMs: readonly number[];
    readonly badSignature: boolean;
    /** Told of every attempt as it ends. */
    readonly onAttempt: (attempt: { readonly status: number | null; readonly acknowledged: boolean }) => void;
  },
) => Promise<{ readonly acknowledged: boolean }>;

/** One attempt of one copy of one push, as the API answered it. */
export interface PushRecord {
  readonly event: string;
  /** OutTradeNo, or MchRefundId for refund results. */
  readonly id: string;
  readonly copy: number;
  readonly attempt: number;
  readonly status: number | null;
  readonly acknowledged: boolean;
}

export function createPusher(send: SendPush, timeScale: number) {
  const log: PushRecord[] = [];
  const inFlight = new Set<Promise<unknown>>();
  const delays = XPAY_RETRY_GAPS_S.map((s) => Math.round(s * 1000 * timeScale));

  async function one(event: string, id: string, message: object, copy: number, badSignature: boolean) {
    let attempt = 0;
    const r = await send(message, {
      retryDelaysMs: delays,
      badSignature,
      onAttempt: (a) => log.push({ event, id, copy, attempt: ++attempt, ...a }),
    });
    return r.acknowledged;
  }

  /** Delivers in the background; `onAcknowledged` runs once, after the first acknowledged copy. */
  function push(
    event: string,
    id: string,
    message: object,
    faults: XpayPushFaults,
    onAcknowledged?: () => void,
  ) {
    if (faults.lost) return;
    const bad = faults.badSignature === true;
    const task = (async () => {
      let done = false;
      const ack = (ok: boolean) => {
        if (ok && !done) {
          done = true;
          onAcknowledged?.();
        }
      };
      const together = Array.from({ length: 1 + (faults.concurrent ?? 0) }, (_, i) =>
        one(event, id, message, i, bad).then(ack),
      );
      await Promise.all(together);
      for (let i = 0; i < (faults.duplicates ?? 0); i++)
        ack(await one(event, id, message, together.length + i, bad));
    })().catch((e) => console.error('sandbox: xpay push failed', e));
    inFlight.add(task);
    void task.finally(() => inFlight.delete(task));
  }

  return {
    push,
    log: (): readonly PushRecord[] => log,
    /** Waits for every delivery in progress (tests, shutdown). */
    settle: () => Promise.all([...inFlight]),
  };
}

export type Pusher = ReturnType<typeof createPusher>;
