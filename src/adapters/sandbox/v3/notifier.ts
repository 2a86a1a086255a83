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
  function envelope(eventId: string, resource: object, tamper: boolean): string {
    const nonce = nonce12();
    let ciphertext = aeadEncrypt(o.merchant.apiV3Key, nonce, 'transaction', JSON.stringify(resource));
    if (tamper) {
      const raw = Buffer.from(ciphertext, 'base64');
      raw[0] = raw[0]! ^ 0x01;
      ciphertext = raw.toString('base64');
    }
    return JSON.stringify({
      id: eventId,
      create_time: rfc3339(Date.now()),
      resource_type: 'encrypt-resource',
      event_type: 'TRANSACTION.SUCCESS',
      summary: '支付成功',
      resource: {
        original_type: 'transaction',
        algorithm: 'AEAD_AES_256_GCM',
        ciphertext,
        associated_data: 'transaction',
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
  ) {
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
      deliveries.push({ outTradeNo, eventId, attempt, status: res.status });
      return res.status === 200 || res.status === 204;
    } catch (e) {
      deliveries.push({ outTradeNo, eventId, attempt, status: null, error: (e as Error).message });
      return false;
    }
  }

  function attempt(url: string, outTradeNo: string, eventId: string, resource: object, n: number): void {
    const f = o.faults();
    const body = envelope(eventId, resource, f.tamper === true);
    const copies = 1 + Math.max(0, f.duplicates ?? 0); // concurrent deliveries from several servers
    void Promise.all(Array.from({ length: copies }, () => send(url, outTradeNo, eventId, body, n, f))).then(
      (oks) => {
        if (oks.some(Boolean)) {
          if (f.redeliverAfterMs !== undefined && n >= 0)
            later(f.redeliverAfterMs, () => void send(url, outTradeNo, eventId, body, -1, o.faults()));
          return;
        }
        const wait = RETRY_SCHEDULE_S[n];
        if (wait !== undefined)
          later(wait * 1000 * o.timeScale, () => attempt(url, outTradeNo, eventId, resource, n + 1));
      },
    );
  }

  return {
    deliveries,
    /** Starts delivering the (already paid) trade's resource to its notify_url. */
    notify(url: string, outTradeNo: string, resource: object): string {
      const eventId = newEventId();
      attempt(url, outTradeNo, eventId, resource, 0);
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
