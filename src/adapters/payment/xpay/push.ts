// xpay push events (brief §1.8) → our values. Authenticity is the message-push endpoint's (signature,
// decryption); here the fields are read (case-insensitively: docs and SDKs disagree on casing) and
// the env is checked against ours.
import { isFen } from '../../../domain/money';
import type { RefundNotice } from '../../../domain/payment';
import { field } from '../../../domain/push';
import { err, ok, type Result } from '../../../domain/result';
import type { VirtualDelivery } from '../../../domain/usecases/virtual-delivery';
import type { XpayConfig } from './config';

type Obj = Readonly<Record<string, unknown>>;

const get = (o: Obj | undefined, name: string): unknown => (o ? field(o, name) : undefined);
const obj = (v: unknown): Obj | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
/** Numbers sometimes arrive as strings (brief §6 faults). */
const int = (v: unknown): number | null =>
  typeof v === 'number' && Number.isSafeInteger(v)
    ? v
    : typeof v === 'string' && /^-?\d{1,15}$/.test(v)
      ? Number(v)
      : null;
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function checkEnv(m: Obj, config: XpayConfig): string | null {
  const env = int(get(m, 'Env'));
  // Refund pushes carry no Env in the field tables; delivery pushes do.
  return env !== null && env !== config.env ? `Env ${env}, ours ${config.env}` : null;
}

export function readDelivery(m: Obj, config: XpayConfig): Result<VirtualDelivery, string> {
  const wrongEnv = checkEnv(m, config);
  if (wrongEnv) return err(wrongEnv);
  const goods = obj(get(m, 'GoodsInfo'));
  const pay = obj(get(m, 'WeChatPayInfo'));
  const outTradeNo = str(get(m, 'OutTradeNo'));
  const openid = str(get(m, 'OpenId'));
  const productId = str(get(goods, 'ProductId'));
  const quantity = int(get(goods, 'Quantity'));
  const paidFen = int(get(goods, 'ActualPrice'));
  if (!outTradeNo || !openid || !productId || quantity === null || !isFen(paidFen))
    return err('OutTradeNo, OpenId, GoodsInfo.ProductId/Quantity/ActualPrice required');
  const paidTime = int(get(pay, 'PaidTime'));
  return ok({
    outTradeNo,
    openid,
    productId,
    quantity,
    paidFen,
    // "非微信支付渠道可能没有" (iOS): then the settlement has no transaction id.
    transactionId: str(get(pay, 'TransactionId')),
    paidAt: paidTime && paidTime > 0 ? new Date(paidTime * 1000) : null,
  });
}

export function readRefundNotice(m: Obj): Result<RefundNotice, string> {
  const outRefundNo = str(get(m, 'MchRefundId'));
  const outTradeNo = str(get(m, 'MchOrderId'));
  const refundFen = int(get(m, 'RefundFee'));
  const retCode = int(get(m, 'RetCode'));
  if (!outRefundNo || !outTradeNo || !isFen(refundFen) || retCode === null)
    return err('MchRefundId, MchOrderId, RefundFee, RetCode required');
  return ok({
    outRefundNo,
    outTradeNo,
    refundId: str(get(m, 'WxRefundId')) ?? '',
    // RetCode 0 = refunded; anything else = the refund failed (query_order status 7).
    status: retCode === 0 ? 'SUCCESS' : 'ABNORMAL',
    refundFen,
  });
}
