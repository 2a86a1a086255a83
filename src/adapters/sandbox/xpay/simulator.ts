// The xpay simulator (小程序虚拟支付): server APIs under /xpay/*, controls under /xpaysim/*, and the
// push events it delivers to the API's message-push URL. In memory, like the rest of the sandbox.
import { type XpayApiDeps, xpayApiRoutes } from './api';
import { xpayControlRoutes } from './control';
import { noXpayFaults, type XpayFaults } from './faults';
import { createPusher, type SendPush } from './pusher';
import { newWxId, newXpayState, type XpayOrder } from './state';

export interface XpaySimulatorOptions {
  readonly offerId: string;
  readonly appKeys: { readonly 0: string; readonly 1: string };
  /** The mini program's 原始ID, `ToUserName` of every push. */
  readonly originalId?: string;
  readonly sessionKeyOf: (openid: string) => string | undefined;
  readonly checkToken: XpayApiDeps['checkToken'];
  readonly send: SendPush;
  /** Multiplies the push retry schedule (0.001: 15 s → 15 ms). */
  readonly timeScale: number;
  readonly nowMs?: () => number;
}

/** WeChat's own account: `FromUserName` of xpay pushes ("道具发货场景固定为微信官方的openid"). */
const WECHAT_OFFICIAL = 'oWECHATOFFICIAL000000000000';

export function createXpaySimulator(o: XpaySimulatorOptions) {
  const state = newXpayState();
  const nowMs = o.nowMs ?? Date.now;
  let faults: XpayFaults = noXpayFaults();
  const pusher = createPusher(o.send, o.timeScale);
  const envelope = (event: string, openid: string) => ({
    ToUserName: o.originalId ?? 'gh_sandbox00000',
    FromUserName: WECHAT_OFFICIAL,
    CreateTime: Math.floor(nowMs() / 1000),
    MsgType: 'event',
    Event: event,
    OpenId: openid,
  });

  /** xpay_goods_deliver_notify; an acknowledged push moves the order to 4 (delivered). */
  function deliverPush(order: XpayOrder) {
    const f = faults.push;
    const price = order.paidFee / order.quantity;
    const message = {
      ...envelope('xpay_goods_deliver_notify', order.openid),
      OutTradeNo: order.orderId,
      Env: f.wrongEnv ? 1 - order.env : order.env,
      ...(order.transactionId
        ? {
            WeChatPayInfo: {
              MchOrderNo: `M${order.wxOrderId}`,
              TransactionId: order.transactionId,
              PaidTime: Math.floor(order.paidTimeMs / 1000),
            },
          }
        : {}),
      GoodsInfo: {
        ProductId: order.productId,
        Quantity: order.quantity,
        OrigPrice: price,
        ActualPrice: f.wrongAmount ? order.paidFee + 1 : order.paidFee,
        Attach: order.attach,
      },
    };
    pusher.push('xpay_goods_deliver_notify', order.orderId, message, f, () => {
      if (order.status === 2) {
        order.status = 4;
        order.provideTimeMs = nowMs();
      }
    });
  }

  /** Ends a refund in progress: the orders change, then xpay_refund_notify goes out. */
  function finishRefund(refundOrderId: string, outcome: 'SUCCESS' | 'FAILED'): boolean {
    const refund = state.orders.get(refundOrderId);
    const pay = refund?.payOrderId ? state.orders.get(refund.payOrderId) : undefined;
    if (!refund || !pay || refund.status !== 1) return false;
    const fee = refund.refundFee ?? 0;
    if (outcome === 'SUCCESS') {
      refund.status = 5;
      pay.leftFee -= fee;
      if (pay.leftFee === 0) pay.status = 5;
    } else refund.status = 7;
    refund.provideTimeMs = nowMs();
    const message = {
      ...envelope('xpay_refund_notify', refund.openid),
      WxRefundId: refund.wxOrderId,
      MchRefundId: refund.orderId,
      WxOrderId: pay.wxOrderId,
      MchOrderId: pay.orderId,
      RefundFee: fee,
      RetCode: outcome === 'SUCCESS' ? 0 : 1,
      RetMsg: outcome === 'SUCCESS' ? 'success' : 'refund failed',
      RefundStartTimestamp: Math.floor(refund.paidTimeMs / 1000),
      RefundSuccTimestamp: outcome === 'SUCCESS' ? Math.floor(nowMs() / 1000) : 0,
      WxpayRefundTransactionId: outcome === 'SUCCESS' ? newWxId('50') : '',
      RetryTimes: 0,
    };
    // The loss/duplicate knobs are about deliveries; refund results go out plainly.
    pusher.push('xpay_refund_notify', refund.orderId, message, {});
    return true;
  }

  const api = xpayApiRoutes({
    state,
    appKeys: o.appKeys,
    checkToken: o.checkToken,
    faults: () => faults,
    nowMs,
    refundStarted: (refund) => {
      // Asynchronous, as WeChat's ("只是启动退款任务成功"): the end comes after the answer.
      if (faults.refundOutcome !== 'PROCESSING') {
        const outcome = faults.refundOutcome;
        setTimeout(() => finishRefund(refund.orderId, outcome), 0);
      }
    },
  });
  const control = xpayControlRoutes({
    state,
    offerId: o.offerId,
    appKeys: o.appKeys,
    sessionKeyOf: o.sessionKeyOf,
    pusher,
    nowMs,
    deliverPush,
    finishRefund,
    getFaults: () => faults,
    setFaults: (f) => {
      faults = f;
    },
  });

  return {
    async handle(req: Request, url: URL): Promise<Response | null> {
      return (await api(req, url)) ?? control(req, url);
    },
    state,
    pushes: pusher.log,
    settle: pusher.settle,
  };
}

export type XpaySimulator = ReturnType<typeof createXpaySimulator>;
