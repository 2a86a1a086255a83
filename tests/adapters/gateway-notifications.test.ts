import { describe, expect, it } from 'bun:test';
import { createGatewayNotifications } from '../../src/adapters/payment/gateway/notifications';
import { signGatewayPayload } from '../../src/adapters/payment/gateway/signature';

const NOW_SEC = 1_700_000_000;
const clock = { now: () => new Date(NOW_SEC * 1000) };
const notifications = createGatewayNotifications({ secrets: ['current-secret', 'previous-secret'], clock });

const body = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({
    order_no: 'P202307011200001234abcd',
    payment_id: '4200001234202307011234567890',
    status: 'SUCCESS',
    amount: 9.9,
    ...fields,
  });
const headers = (value: string) => new Headers({ 'X-Gateway-Signature': value });
const signed = (raw: string, secret = 'current-secret', t = NOW_SEC) =>
  headers(signGatewayPayload(secret, raw, t));
const kindOf = (r: ReturnType<typeof notifications.verify>) => (r.ok ? 'ok' : r.error.kind);

describe('GatewayNotifications.verify', () => {
  it('accepts a correctly signed callback and returns the event in fen', () => {
    const raw = body();
    expect(notifications.verify(signed(raw), raw)).toEqual({
      ok: true,
      value: {
        outTradeNo: 'P202307011200001234abcd',
        state: 'SUCCESS',
        transactionId: '4200001234202307011234567890',
        amountFen: 990,
        paidAt: null,
      },
    });
  });

  it('accepts a header whose second v1 matches a configured secret (rotation)', () => {
    const raw = body();
    const value = signGatewayPayload(['a-secret-we-do-not-know', 'previous-secret'], raw, NOW_SEC);
    expect(value.split(',v1=').length).toBe(3);
    expect(kindOf(notifications.verify(headers(value), raw))).toBe('ok');
  });

  it('reads the header case-insensitively', () => {
    const raw = body();
    const h = new Headers({ 'x-gateway-signature': signGatewayPayload('current-secret', raw, NOW_SEC) });
    expect(kindOf(notifications.verify(h, raw))).toBe('ok');
  });

  it('rejects a signature made with an unknown secret', () => {
    const raw = body();
    expect(kindOf(notifications.verify(signed(raw, 'forged'), raw))).toBe('notification_unauthenticated');
  });

  it('rejects a stale timestamp (more than 300 s old)', () => {
    const raw = body();
    expect(kindOf(notifications.verify(signed(raw, 'current-secret', NOW_SEC - 301), raw))).toBe(
      'notification_unauthenticated',
    );
    expect(kindOf(notifications.verify(signed(raw, 'current-secret', NOW_SEC - 300), raw))).toBe('ok');
  });

  it('rejects a timestamp too far in the future', () => {
    const raw = body();
    expect(kindOf(notifications.verify(signed(raw, 'current-secret', NOW_SEC + 301), raw))).toBe(
      'notification_unauthenticated',
    );
  });

  it('rejects a body altered after signing', () => {
    const raw = body();
    expect(kindOf(notifications.verify(signed(raw), body({ amount: 0.01 })))).toBe(
      'notification_unauthenticated',
    );
  });

  it('rejects a missing or malformed header', () => {
    const raw = body();
    expect(kindOf(notifications.verify(new Headers(), raw))).toBe('notification_unauthenticated');
    for (const bad of [
      'garbage',
      't=abc,v1=00',
      `t=${NOW_SEC}`,
      `v1=${'0'.repeat(64)}`,
      `t=${NOW_SEC},v1=xyz`,
    ]) {
      expect(kindOf(notifications.verify(headers(bad), raw))).toBe('notification_unauthenticated');
    }
  });

  it('rejects amounts that are not yuan with at most two decimals', () => {
    for (const amount of [9.999, -9.9, '9.9', null, Number.MAX_VALUE]) {
      const raw = body({ amount });
      expect(kindOf(notifications.verify(signed(raw), raw))).toBe('notification_invalid');
    }
  });

  it('rejects an unknown status, a malformed order_no and SUCCESS without payment_id', () => {
    for (const fields of [
      { status: 'PAID' },
      { order_no: 'P1' },
      { order_no: { $gt: '' } },
      { payment_id: '' },
    ]) {
      const raw = body(fields);
      expect(kindOf(notifications.verify(signed(raw), raw))).toBe('notification_invalid');
    }
  });

  it('accepts a PAYERROR callback without a transaction', () => {
    const raw = body({ status: 'PAYERROR', payment_id: '' });
    expect(notifications.verify(signed(raw), raw)).toMatchObject({
      ok: true,
      value: { state: 'PAYERROR', transactionId: null },
    });
  });

  it('rejects an authentic body that is not a JSON object', () => {
    for (const raw of ['{not json', '[]', '"SUCCESS"']) {
      expect(kindOf(notifications.verify(signed(raw), raw))).toBe('notification_invalid');
    }
  });

  it('refuses to be configured without a secret', () => {
    expect(() => createGatewayNotifications({ secrets: [''], clock })).toThrow();
  });
});

describe('GatewayNotifications.verifyRefund', () => {
  const refundBody = (fields: Record<string, unknown> = {}) =>
    JSON.stringify({
      out_refund_no: 'R202307011200001234abcd12',
      out_trade_no: 'P202307011200001234abcd',
      refund_id: '50000000382019052709732678859',
      status: 'SUCCESS',
      refund_fen: 990,
      ...fields,
    });
  const refundKind = (r: ReturnType<typeof notifications.verifyRefund>) => (r.ok ? 'ok' : r.error.kind);

  it('accepts a correctly signed refund result', () => {
    const raw = refundBody({ status: 'CLOSED' });
    expect(notifications.verifyRefund(signed(raw), raw)).toEqual({
      ok: true,
      value: {
        outRefundNo: 'R202307011200001234abcd12',
        outTradeNo: 'P202307011200001234abcd',
        refundId: '50000000382019052709732678859',
        status: 'CLOSED',
        refundFen: 990,
      },
    });
  });

  it('checks the same signature, window and secrets as the payment callback', () => {
    const raw = refundBody();
    expect(refundKind(notifications.verifyRefund(signed(raw, 'forged'), raw))).toBe(
      'notification_unauthenticated',
    );
    expect(refundKind(notifications.verifyRefund(signed(raw, 'current-secret', NOW_SEC - 301), raw))).toBe(
      'notification_unauthenticated',
    );
    expect(refundKind(notifications.verifyRefund(signed(raw, 'previous-secret'), raw))).toBe('ok');
  });

  it('rejects a payment body, unknown statuses and amounts that are not whole fen', () => {
    const payment = body();
    expect(refundKind(notifications.verifyRefund(signed(payment), payment))).toBe('notification_invalid');
    const refund = refundBody();
    expect(kindOf(notifications.verify(signed(refund), refund))).toBe('notification_invalid');
    for (const fields of [
      { status: 'REFUNDED' },
      { refund_fen: 9.9 },
      { refund_fen: 0 },
      { refund_id: '' },
    ]) {
      const raw = refundBody(fields);
      expect(refundKind(notifications.verifyRefund(signed(raw), raw))).toBe('notification_invalid');
    }
  });
});
