// Payment notifications as WeChat sends them: encrypted resource, fresh signed headers per
// attempt, success only on 200/204 within 5 s, otherwise the documented retry schedule.
import { randomBytes } from 'node:crypto';
import { aeadEncrypt } from '../../payment/wechatpay/crypto';
import type { NotifyFaults } from './faults';
import type { Signer } from './gate';
import { newEventId, rfc3339 } from './ids';
import type { MerchantIdentity } from './keys';

/** Seconds between attempts after the first one (total 24 h 4 min). */
export const RETRY_SCHEDULE_S = [
  15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600,
];
const ANSWER_DEADLINE_MS = 5000;

export interface Delivery {
  readonly outTradeNo: string;
  /** Set for REFUND.* notifications. */
  readonly outRefundNo?: string;
  readonly eventId: string;
  readonly attempt: number;
  readonly status: number | null;
  readonly error?: string;
}

export interface NotifierOptions {
  readonly merchant: MerchantIdentity;
  readonly signer: Signer;
  readonly faults: () => NotifyFaults;
  readonly fetch: (url: string, init: RequestInit) => Promise<Response>;
  /** Multiplies the retry schedule: 0.001 turns 15 s into 15 ms for tests. */
  readonly timeScale: number;
}

/** What kind of event an envelope carries: a payment (the default) or a refund result (brief §8.3). */
export interface EventKind {
  readonly eventType: string;
  readonly summary: string;
  /** `original_type` and the AEAD associated data: `transaction` or `refund`. */
  readonly resourceType: 'transaction' | 'refund';
  readonly outRefundNo?: string;
}
const PAYMENT: EventKind = {
  eventType: 'TRANSACTION.SUCCESS',
  summary: '支付成功',
  resourceType: 'transaction',
};

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const nonce12 = () => Array.from(randomBytes(12), (b) => ALNUM[b % ALNUM.length]).join('');

export function createNotifier(o: NotifierOptions) {
  const deliveries: Delivery[] = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  /** The envelope body for one event; `tamper` flips a ciphertext byte before it is signed. */
  function envelope(eventId: string, resource: object, tamper: boolean, kind: EventKind): string {
    const nonce = nonce12();
    const aad = kind.resourceType;
    let ciphertext = aeadEncrypt(o.merchant.apiV3Key, nonce, aad, JSON.stringify(resource));
    if (tamper) {
      const raw = Buffer.from(ciphertext, 'base64');
      raw[0] = raw[0]! ^ 0x01;
      ciphertext = raw.toString('base64');
    }
    return JSON.stringify({
      id: eventId,
      create_time: rfc3339(Date.now()),
      resource_type: 'encrypt-resource',
      event_type: kind.eventType,
      summary: kind.summary,
      resource: {
        original_type: aad,
        algorithm: 'AEAD_AES_256_GCM',
        ciphertext,
        associated_data: aad,
        nonce,
      },
    });
  }

  async function send(
    url: string,
    outTradeNo: string,
    eventId: string,
    body: string,
    attempt: number,
    f: NotifyFaults,
    kind: EventKind,
  ) {
    const refund = kind.outRefundNo ? { outRefundNo: kind.outRefundNo } : {};
    const headers = o.signer.headers(body, {
      signtest: f.signtest,
      wrongSerial: f.wrongSerial,
      skewSeconds: f.skewSeconds,
    });
    try {
      const res = await o.fetch(url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(ANSWER_DEADLINE_MS),
      });
      await res.arrayBuffer();
      deliveries.push({ outTradeNo, ...refund, eventId, attempt, status: res.status });
      return res.status === 200 || res.status === 204;
    } catch (e) {
      deliveries.push({ outTradeNo, ...refund, eventId, attempt, status: null, error: (e as Error).message });
      return false;
    }
  }

  function attempt(
    url: string,
    outTradeNo: string,
    eventId: string,
    resource: object,
    n: number,
    kind: EventKind,
  ): void {
    const f = o.faults();
    const body = envelope(eventId, resource, f.tamper === true, kind);
    const copies = 1 + Math.max(0, f.duplicates ?? 0); // concurrent deliveries from several servers
    const deliver = () => send(url, outTradeNo, eventId, body, n, f, kind);
    void Promise.all(Array.from({ length: copies }, deliver)).then((oks) => {
      if (oks.some(Boolean)) {
        if (f.redeliverAfterMs !== undefined && n >= 0)
          later(f.redeliverAfterMs, () => void send(url, outTradeNo, eventId, body, -1, o.faults(), kind));
        return;
      }
      const wait = RETRY_SCHEDULE_S[n];
      if (wait !== undefined)
        later(wait * 1000 * o.timeScale, () => attempt(url, outTradeNo, eventId, resource, n + 1, kind));
    });
  }

  return {
    deliveries,
    /** Starts delivering an event (by default the paid trade's resource) to a notify_url. */
    notify(url: string, outTradeNo: string, resource: object, kind: EventKind = PAYMENT): string {
      const eventId = newEventId();
      attempt(url, outTradeNo, eventId, resource, 0, kind);
      return eventId;
    },
    /** Stops pending retries (tests, shutdown). */
    stop(): void {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}

export type Notifier = ReturnType<typeof createNotifier>;
