import { REPORTED_TRADE_STATES } from '../../../domain/payment';
/**
 * Constants of the gateway contract (docs/gateway-contract.md), shared by the adapter and the
 * sandbox so the two cannot drift apart.
 */
export const GatewayCode = {
  OK: 200,
  INVALID_PARAMS: 400,
  NOT_FOUND: 404,
  /** Same outTradeNo / outRefundNo re-sent with different parameters. */
  CONFLICT: 409,
  /** A definitive business refusal: trade closed or expired, refund not allowed. */
  REFUSED: 422,
  /** The trade is already paid: close refused, no new prepay. */
  TRADE_PAID: 460,
  /** Gateway or WeChat trouble: the outcome is unknown, ask again later. */
  INTERNAL: 500,
  UPSTREAM_UNAVAILABLE: 503,
} as const;

/** WeChat's trade states as the gateway reports them (NOT_FOUND is ours, never sent). */
export const WIRE_TRADE_STATES = REPORTED_TRADE_STATES;
export type WireTradeState = (typeof WIRE_TRADE_STATES)[number];

export const isWireTradeState = (s: unknown): s is WireTradeState =>
  typeof s === 'string' && (WIRE_TRADE_STATES as readonly string[]).includes(s);

export const REFUND_STATUSES = ['SUCCESS', 'PROCESSING', 'CLOSED', 'ABNORMAL'] as const;

/** Our order_no: `P` + yyyyMMddHHmmss + 8 of [0-9a-z] (SPEC 2.1). */
export const ORDER_NO_PATTERN = /^P\d{14}[0-9a-z]{8}$/;

/** WeChat's out_trade_no / out_refund_no alphabet and length. */
export const OUT_NO_PATTERN = /^[A-Za-z0-9_|*-]{6,64}$/;

/** RFC 3339 with seconds and an explicit offset, as WeChat's time_expire wants. */
export const RFC3339_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** A prepay_id is usable for two hours (WeChat's rule); the same trade then gets a new one. */
export const PREPAY_TTL_MS = 2 * 60 * 60 * 1000;

/** `2024-01-02T03:04:05+08:00`: WeChat documents time_expire in Beijing time with the offset. */
export function toRfc3339Beijing(at: Date): string {
  const shifted = new Date(at.getTime() + 8 * 3600_000);
  return `${shifted.toISOString().slice(0, 19)}+08:00`;
}
