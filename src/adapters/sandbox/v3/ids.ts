// Identifier and time formats as WeChat emits them.
import { randomBytes, randomInt } from 'node:crypto';
import { toBeijingRfc3339 } from '../../payment/wechatpay/crypto';

const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join('');
const beijingStamp = (ms: number) => toBeijingRfc3339(new Date(ms)).slice(0, 19).replace(/\D/g, '');

/** `wx` + yyyyMMddHHmmss + hex, 36 chars. */
export const newPrepayId = (nowMs: number) => `wx${beijingStamp(nowMs)}${randomBytes(10).toString('hex')}`;
/** 28 digits starting `42000`. */
export const newTransactionId = (nowMs: number) =>
  `42000${digits(3)}${beijingStamp(nowMs).slice(0, 8)}${digits(12)}`;
/** 29 digits starting `50`. */
export const newRefundId = () => `50${digits(27)}`;
export const newEventId = () => crypto.randomUUID();
export const rfc3339 = (ms: number) => toBeijingRfc3339(new Date(ms));
