// Fault knobs of the xpay simulator, set as a whole via `POST /xpaysim/faults` ({} resets them).

export interface XpayPushFaults {
  /** Extra deliveries of each push, one after the other once the first is acknowledged. */
  readonly duplicates?: number;
  /** Extra deliveries of each push sent at the same moment as the first. */
  readonly concurrent?: number;
  /** The push is never sent (the order is paid all the same). */
  readonly lost?: boolean;
  /** Signed with a wrong push token: the API must refuse it. */
  readonly badSignature?: boolean;
  /** `GoodsInfo.ActualPrice` off by one fen from what was paid. */
  readonly wrongAmount?: boolean;
  /** `Env` of the other environment. */
  readonly wrongEnv?: boolean;
}

export interface XpayApiFault {
  /** `query_order`, `notify_provide_goods`, `refund_order` or `*`. */
  readonly api: string;
  /** The errcode answered instead (e.g. -1, 268490015, 268490014). */
  readonly errcode: number;
  /** How many calls it applies to; unlimited when absent. */
  times?: number;
}

export interface XpayFaults {
  push: XpayPushFaults;
  api: XpayApiFault[];
  /** query_order shows a paid order still at status 1 for this long after payment. */
  queryLagMs: number;
  /** How new refunds end: SUCCESS (default), FAILED (status 7, RetCode ≠ 0), or PROCESSING until told. */
  refundOutcome: 'SUCCESS' | 'FAILED' | 'PROCESSING';
}

export const noXpayFaults = (): XpayFaults => ({
  push: {},
  api: [],
  queryLagMs: 0,
  refundOutcome: 'SUCCESS',
});

export function parseXpayFaults(v: unknown): XpayFaults | string {
  if (typeof v !== 'object' || v === null) return 'expected a JSON object';
  const o = v as Record<string, unknown>;
  const push = (o.push ?? {}) as XpayPushFaults;
  if (typeof push !== 'object' || push === null) return 'push: expected an object';
  for (const k of ['duplicates', 'concurrent'] as const) {
    const n = push[k];
    if (n !== undefined && (!Number.isInteger(n) || n < 0 || n > 50)) return `push.${k}: 0 to 50`;
  }
  const api = o.api ?? [];
  if (!Array.isArray(api)) return 'api: expected an array';
  for (const f of api as XpayApiFault[])
    if (typeof f?.api !== 'string' || !Number.isInteger(f.errcode))
      return 'api: expected {api, errcode, times?}';
  const queryLagMs = o.queryLagMs ?? 0;
  if (!Number.isInteger(queryLagMs) || (queryLagMs as number) < 0)
    return 'queryLagMs: a non-negative integer';
  const refundOutcome = o.refundOutcome ?? 'SUCCESS';
  if (!['SUCCESS', 'FAILED', 'PROCESSING'].includes(refundOutcome as string))
    return 'refundOutcome: SUCCESS, FAILED or PROCESSING';
  return {
    push: { ...push },
    api: (api as XpayApiFault[]).map((f) => ({ ...f })),
    queryLagMs: queryLagMs as number,
    refundOutcome: refundOutcome as XpayFaults['refundOutcome'],
  };
}

/** The first matching API fault, consuming one of its `times`. */
export function takeApiFault(faults: XpayFaults, api: string): XpayApiFault | undefined {
  const f = faults.api.find((x) => (x.api === api || x.api === '*') && (x.times ?? 1) > 0);
  if (f && f.times !== undefined) f.times -= 1;
  return f;
}
