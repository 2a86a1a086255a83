// Factory and public surface of the 小程序虚拟支付 (xpay) adapter.
export { type WechatPost, xpayCaller } from './api';
export { DEV_XPAY, type XpayConfig, xpayConfigFromEnv } from './config';
export { createXpayPayments, IOS_REFUND_REFUSED, type XpayLookup } from './payments';
export { readDelivery, readRefundNotice } from './push';
export { apiPaySig, clientPaySig, hmacSha256Hex, sameHex, userSignature } from './sign';
