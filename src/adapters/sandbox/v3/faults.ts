// Fault knobs, set as a whole via `POST /v3sim/faults` (an empty object resets everything).
export type Endpoint = 'prepay' | 'query' | 'close' | 'refund' | 'refund_query';
const ENDPOINTS: readonly string[] = ['prepay', 'query', 'close', 'refund', 'refund_query', '*'];

export interface HttpFault {
  readonly endpoint: Endpoint | '*';
  /**
   * 500/429 answer (signed, like WeChat's), `timeout` holds the request, `bad_signature` corrupts the
   * signature; `lost_response` carries the request out and then answers 500 (after `holdMs`, if set).
   */
  readonly kind: '500' | '429' | 'timeout' | 'bad_signature' | 'lost_response';
  /** How many requests it applies to; unlimited when absent. */
  times?: number;
  /** For `timeout`: how long to hold before answering 500 (default 15 s). */
  readonly holdMs?: number;
}

export interface NotifyFaults {
  /** Extra concurrent copies of each delivery attempt. */
  readonly duplicates?: number;
  /** Deliver once more this long after a successful delivery (WeChat's "second network path"). */
  readonly redeliverAfterMs?: number;
  /** `Wechatpay-Signature: WECHATPAY/SIGNTEST/…`, as WeChat's verification probes. */
  readonly signtest?: boolean;
  /** Flip one ciphertext byte after signing: the signature verifies, the GCM tag does not. */
  readonly tamper?: boolean;
  /** Announce a serial the merchant does not know. */
  readonly wrongSerial?: boolean;
  /** Shift Wechatpay-Timestamp by this many seconds. */
  readonly skewSeconds?: number;
}

export type RefundOutcome = 'SUCCESS' | 'CLOSED' | 'ABNORMAL' | 'PROCESSING';

export interface RefundFaults {
  /** How new refunds end (default SUCCESS); PROCESSING keeps them open until `/v3sim/refunds/{no}/…`. */
  readonly outcome?: RefundOutcome;
}

export interface Faults {
  http: HttpFault[];
  notify: NotifyFaults;
  refund: RefundFaults;
}

export const noFaults = (): Faults => ({ http: [], notify: {}, refund: {} });

export function parseFaults(v: unknown): Faults | string {
  if (typeof v !== 'object' || v === null) return 'expected a JSON object';
  const o = v as { http?: unknown; notify?: unknown; refund?: unknown };
  const http = o.http ?? [];
  if (!Array.isArray(http)) return 'http: expected an array';
  for (const f of http as HttpFault[]) {
    if (!ENDPOINTS.includes(f?.endpoint)) return `http: unknown endpoint ${String(f?.endpoint)}`;
    if (!['500', '429', 'timeout', 'bad_signature', 'lost_response'].includes(f.kind))
      return `http: unknown kind ${String(f.kind)}`;
  }
  const notify = o.notify ?? {};
  if (typeof notify !== 'object' || notify === null) return 'notify: expected an object';
  const refund = (o.refund ?? {}) as RefundFaults;
  if (typeof refund !== 'object' || refund === null) return 'refund: expected an object';
  if (
    refund.outcome !== undefined &&
    !['SUCCESS', 'CLOSED', 'ABNORMAL', 'PROCESSING'].includes(refund.outcome)
  )
    return `refund: unknown outcome ${String(refund.outcome)}`;
  return {
    http: (http as HttpFault[]).map((f) => ({ ...f })),
    notify: notify as NotifyFaults,
    refund: { ...refund },
  };
}

/** The first matching fault, consuming one of its `times`. */
export function takeHttpFault(faults: Faults, endpoint: Endpoint): HttpFault | undefined {
  const f = faults.http.find((x) => (x.endpoint === endpoint || x.endpoint === '*') && (x.times ?? 1) > 0);
  if (f && f.times !== undefined) f.times -= 1;
  return f;
}
