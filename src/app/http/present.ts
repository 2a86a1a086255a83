import type { LedgerEntry } from '../../domain/ledger';
import { fenToYuan } from '../../domain/money';
import type { Order } from '../../domain/order';
import type { Product } from '../../domain/product';
import type { RefundState } from '../../domain/refund';
import type { Review } from '../../domain/review';
import { formatLocal } from '../../domain/time';
import { creditsTaken, type RefundView } from '../../domain/usecases/refund-steps';
import type { User } from '../../domain/user';

const REFUND_MESSAGES: Record<RefundState, string> = {
  requested: '退款已登记，等待支付服务受理',
  processing: '退款处理中',
  succeeded: '退款成功',
  closed: '退款已关闭，积分已退回；可用 retry_of 重新发起',
  abnormal: '退款异常（如用户银行卡不可用），积分已退回；请在商户平台处理或用 retry_of 重新发起',
  failed: '支付服务拒绝了该退款，积分已退回',
};

/** Responses are whitelisted field by field, in the seed's order; nothing internal leaks by accident. */
export function presenter(timeZone: string) {
  const ts = (d: Date | null) => formatLocal(d, timeZone);
  const order = (o: Order) => ({
    id: o.id,
    order_no: o.orderNo,
    user_id: o.userId,
    product_id: o.productId,
    amount: fenToYuan(o.amountFen),
    credits: o.credits,
    status: o.status,
    payment_id: o.paymentId,
    payment_time: ts(o.paymentTime),
    refund_time: ts(o.refundTime),
    remark: o.remark,
    created_at: ts(o.createdAt),
    updated_at: ts(o.updatedAt),
  });
  const product = (p: Product) => ({
    id: p.id,
    name: p.name,
    description: p.description,
    credits: p.credits,
    price: fenToYuan(p.priceFen),
    image_url: p.imageUrl,
    is_active: p.isActive,
    sort_order: p.sortOrder,
    created_at: ts(p.createdAt),
    updated_at: ts(p.updatedAt),
  });
  const user = (u: User, credits?: number) => ({
    id: u.id,
    openid: u.openid,
    nickname: u.nickname,
    avatar_url: u.avatarUrl,
    role: u.role,
    is_active: u.isActive,
    ...(credits === undefined ? {} : { credits }),
    created_at: ts(u.createdAt),
  });
  return {
    product,
    adminProduct: (p: Product) => ({ ...product(p), xpay_product_id: p.xpayProductId, version: p.version }),
    order,
    /** The seed's detail shape: the list fields without user_id/product_id, plus the product snapshot. */
    orderDetail: (o: Order) => {
      const { user_id: _u, product_id: _p, ...rest } = order(o);
      return {
        ...rest,
        product_name: o.productName,
        product_description: o.productDescription,
        product_image_url: o.productImageUrl,
      };
    },
    user,
    adminUser: (u: User, credits?: number) => ({ ...user(u, credits), version: u.version }),
    refund: (v: RefundView) => {
      const deducted = creditsTaken(v.deduction);
      return {
        order_id: v.order.id,
        order_no: v.order.orderNo,
        status: v.order.status === 'refunded' ? ('refunded' as const) : ('completed' as const),
        refund_status: v.state,
        attempt: v.attempt.attempt,
        out_refund_no: v.attempt.outRefundNo,
        refund_id: v.refundId,
        refund_amount: fenToYuan(v.attempt.refundFen),
        credits_deducted: deducted,
        credits_shortfall: v.deduction ? v.order.credits - deducted : 0,
        credits_returned: creditsTaken(v.reversal),
        reason: v.attempt.reason,
        refund_time: ts(v.order.refundTime),
        message: REFUND_MESSAGES[v.state],
      };
    },
    review: (r: Review) => ({
      id: r.id,
      order_id: r.orderId,
      order_no: r.orderNo,
      reason: r.reason,
      detail: r.detail,
      created_at: ts(r.createdAt),
      resolved_at: ts(r.resolvedAt),
      resolution: r.resolution,
    }),
    entry: (e: LedgerEntry) => ({
      id: e.id,
      amount: e.amount,
      balance_after: e.balanceAfter,
      type: e.type,
      description: e.description,
      related_order_id: e.relatedOrderId,
      created_at: ts(e.createdAt),
    }),
  };
}

export type Presenter = ReturnType<typeof presenter>;
