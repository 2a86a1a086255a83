import { fenToYuan } from '../../domain/money';
import { SIGNATURE_HEADER, signGatewayPayload } from '../payment/gateway/signature';
import type { Refund, Trade } from './state';

/** WeChat Pay's notification retry intervals (seconds) after a failed attempt: 15 retries in all. */
export const RETRY_SCHEDULE_SEC = [
  15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600,
] as const;

export interface Delivery {
  readonly order_no: string;
  /** Set for refund result callbacks. */
  readonly out_refund_no?: string;
  readonly status: string;
  readonly attempt: number;
  /** null when the receiver could not be reached or timed out. */
  readonly http_status: number | null;
  readonly error: string | null;
  readonly at: string;
}

export interface NotifierOptions {
  readonly secret: string;
  /** Multiplies every retry delay: tests run the whole schedule in milliseconds. */
  readonly timeScale: number;
  readonly now: () => Date;
  readonly fetch?: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /** WeChat gives a receiver about 5 s. */
  readonly timeoutMs?: number;
}

export interface Notifier {
  /** Sends the seed's callback body for the trade in the background, retrying until a 2xx. */
  notify(trade: Trade, status: 'SUCCESS' | 'PAYERROR'): void;
  /** The refund result callback (docs/gateway-contract.md §7), same signature and retries. */
  notifyRefund(refund: Refund): void;
  deliveries(): readonly Delivery[];
  /** Cancels pending retries (server shutdown, end of a test). */
  stop(): void;
}

export function createNotifier(opts: NotifierOptions): Notifier {
  const fetchFn = opts.fetch ?? fetch;
  const log: Delivery[] = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let stopped = false;

  type Subject = { readonly order_no: string; readonly out_refund_no?: string; readonly status: string };

  async function attempt(url: string, rawBody: string, subject: Subject, n: number) {
    // Re-signed on every attempt: a retry hours later must still fall inside the receiver's window.
    const tSec = Math.floor(opts.now().getTime() / 1000);
    let httpStatus: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetchFn(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signGatewayPayload(opts.secret, rawBody, tSec),
        },
        body: rawBody,
        signal: AbortSignal.timeout(opts.timeoutMs ?? 5000),
      });
      httpStatus = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (e) {
      error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
    log.push({
      ...subject,
      attempt: n,
      http_status: httpStatus,
      error,
      at: opts.now().toISOString(),
    });
    const delivered = httpStatus !== null && httpStatus >= 200 && httpStatus < 300;
    const delaySec = RETRY_SCHEDULE_SEC[n - 1];
    if (delivered || stopped || delaySec === undefined) return;
    const timer = setTimeout(
      () => {
        timers.delete(timer);
        void attempt(url, rawBody, subject, n + 1);
      },
      delaySec * 1000 * opts.timeScale,
    );
    timers.add(timer);
  }

  return {
    notify(trade, status) {
      const rawBody = JSON.stringify({
        order_no: trade.outTradeNo,
        // The seed's field is a string; a failed payment has no transaction, so it is empty.
        payment_id: trade.transactionId ?? '',
        status,
        amount: fenToYuan(trade.totalFen),
      });
      void attempt(trade.notifyUrl, rawBody, { order_no: trade.outTradeNo, status }, 1);
    },
    notifyRefund(r) {
      if (!r.notifyUrl) return;
      const rawBody = JSON.stringify({
        out_refund_no: r.outRefundNo,
        out_trade_no: r.outTradeNo,
        refund_id: r.refundId,
        status: r.status,
        refund_fen: r.refundFen,
      });
      const subject = { order_no: r.outTradeNo, out_refund_no: r.outRefundNo, status: r.status };
      void attempt(r.notifyUrl, rawBody, subject, 1);
    },
    deliveries: () => log,
    stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
