import { expect, it } from 'bun:test';
import { createWechatPay, validateWechatPayConfig } from '../../src/adapters/payment/wechatpay';
import { aeadEncrypt } from '../../src/adapters/payment/wechatpay/crypto';
import { createSigner } from '../../src/adapters/sandbox/v3/gate';
import { generateMerchant, generateWechatpayKey } from '../../src/adapters/sandbox/v3/keys';
import { cryptoRandom } from './harness';

// Notification verification with a fixed clock and hand-built envelopes.
const NOW = Date.parse('2024-07-01T04:05:31Z');
const m = generateMerchant();
const key = generateWechatpayKey();
const signer = createSigner([key], () => NOW);
const config = validateWechatPayConfig({ ...m, verifierKeys: { [key.serial]: key.publicPem } });
if (!config.ok) throw new Error(config.error.join('; '));
const { notifications } = createWechatPay(config.value, {
  clock: { now: () => new Date(NOW) },
  random: cryptoRandom,
});

const transaction = (over: object = {}) => ({
  appid: m.appid,
  mchid: m.mchid,
  out_trade_no: 'P20240701120000abcd1234',
  transaction_id: '4200001863202305068344507881',
  trade_type: 'JSAPI',
  trade_state: 'SUCCESS',
  success_time: '2024-07-01T12:05:31+08:00',
  amount: { total: 990, payer_total: 990, currency: 'CNY', payer_currency: 'CNY' },
  ...over,
});
function deliver(resource: object, o: { event?: string; ciphertext?: (c: string) => string } = {}) {
  const ct = aeadEncrypt(m.apiV3Key, 'abcdefghijkl', 'transaction', JSON.stringify(resource));
  const body = JSON.stringify({
    id: 'EV-1',
    create_time: '2024-07-01T12:05:31+08:00',
    resource_type: 'encrypt-resource',
    event_type: o.event ?? 'TRANSACTION.SUCCESS',
    resource: {
      original_type: 'transaction',
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: o.ciphertext ? o.ciphertext(ct) : ct,
      associated_data: 'transaction',
      nonce: 'abcdefghijkl',
    },
  });
  return notifications.verify(new Headers(signer.headers(body)), body);
}
const kind = (r: ReturnType<typeof deliver>) => (r.ok ? 'ok' : r.error.kind);

it('turns a genuine notification into a PaymentEvent', () => {
  expect(deliver(transaction())).toEqual({
    ok: true,
    value: {
      outTradeNo: 'P20240701120000abcd1234',
      state: 'SUCCESS',
      transactionId: '4200001863202305068344507881',
      amountFen: 990,
      paidAt: new Date(NOW),
    },
  });
});

it('rejects another merchant or appid, refund events and bad amounts as invalid', () => {
  expect(kind(deliver(transaction({ mchid: '1999999999' })))).toBe('notification_invalid');
  expect(kind(deliver(transaction({ appid: 'wx0000000000000000' })))).toBe('notification_invalid');
  expect(kind(deliver(transaction(), { event: 'REFUND.SUCCESS' }))).toBe('notification_invalid');
  expect(kind(deliver(transaction({ amount: { total: 9.9 } })))).toBe('notification_invalid');
});

it('rejects a tag truncated to 12 bytes (Bun once accepted short tags)', () => {
  const cut = (c: string) => Buffer.from(c, 'base64').subarray(0, -4).toString('base64');
  expect(kind(deliver(transaction(), { ciphertext: cut }))).toBe('notification_invalid');
});

it('rejects a body changed after signing and a missing header as unauthenticated', () => {
  const body = '{"event_type":"TRANSACTION.SUCCESS"}';
  const headers = new Headers(signer.headers(body));
  expect(kind(notifications.verify(headers, `${body}\n`))).toBe('notification_unauthenticated');
  headers.delete('wechatpay-nonce');
  expect(kind(notifications.verify(headers, body))).toBe('notification_unauthenticated');
});

const refundResource = (over: object = {}) => ({
  mchid: m.mchid,
  out_trade_no: 'P20240701120000abcd1234',
  transaction_id: '4200001863202305068344507881',
  out_refund_no: 'R20240701120000abcd1234',
  refund_id: '50301405352023041233178680856',
  refund_status: 'SUCCESS',
  success_time: '2024-07-01T12:15:06+08:00',
  user_received_account: '支付用户零钱',
  amount: { total: 990, refund: 990, payer_total: 990, payer_refund: 990 },
  ...over,
});
function deliverRefund(resource: object, event = 'REFUND.SUCCESS', aad = 'refund') {
  const ct = aeadEncrypt(m.apiV3Key, 'abcdefghijkl', aad, JSON.stringify(resource));
  const body = JSON.stringify({
    id: 'EV-2',
    create_time: '2024-07-01T12:15:06+08:00',
    resource_type: 'encrypt-resource',
    event_type: event,
    summary: '退款成功',
    resource: {
      original_type: 'refund',
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: ct,
      associated_data: aad,
      nonce: 'abcdefghijkl',
    },
  });
  return notifications.verifyRefund(new Headers(signer.headers(body)), body);
}

it('turns a genuine REFUND.* notification into a RefundNotice', () => {
  expect(deliverRefund(refundResource())).toEqual({
    ok: true,
    value: {
      outRefundNo: 'R20240701120000abcd1234',
      outTradeNo: 'P20240701120000abcd1234',
      refundId: '50301405352023041233178680856',
      status: 'SUCCESS',
      refundFen: 990,
    },
  });
  const closed = deliverRefund(refundResource({ refund_status: 'CLOSED' }), 'REFUND.CLOSED');
  expect(closed.ok && closed.value.status).toBe('CLOSED');
  const abnormal = deliverRefund(refundResource({ refund_status: 'ABNORMAL' }), 'REFUND.ABNORMAL');
  expect(abnormal.ok && abnormal.value.status).toBe('ABNORMAL');
});

it('rejects refund notices that are not ours or contradict themselves, and payments sent as refunds', () => {
  const kindR = (r: ReturnType<typeof deliverRefund>) => (r.ok ? 'ok' : r.error.kind);
  expect(kindR(deliverRefund(refundResource({ mchid: '1999999999' })))).toBe('notification_invalid');
  expect(kindR(deliverRefund(refundResource({ refund_status: 'CLOSED' })))).toBe('notification_invalid');
  expect(kindR(deliverRefund(refundResource({ amount: { refund: 9.9 } })))).toBe('notification_invalid');
  expect(kindR(deliverRefund(refundResource(), 'TRANSACTION.SUCCESS'))).toBe('notification_invalid');
  const body = '{"event_type":"REFUND.SUCCESS"}';
  expect(kindR(notifications.verifyRefund(new Headers(signer.headers(body)), `${body} `))).toBe(
    'notification_unauthenticated',
  );
});
