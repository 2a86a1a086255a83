import { canDo } from '../../../domain/operators/operator';
import type { Order } from '../../../domain/order';
import { gaveUp, type RefundState } from '../../../domain/refund';
import type { RefundQuote } from '../../../domain/refund-quote';
import { queryPaymentStatus } from '../../../domain/usecases/payment-status';
import { refundOrder } from '../../../domain/usecases/refund';
import { refundQuote } from '../../../domain/usecases/refund-quote';
import { creditsTaken } from '../../../domain/usecases/refund-steps';
import type { AppDeps } from '../../http/context';
import { httpError } from '../../http/errors';
import { audit, consolePage, requireRole } from '../auth';
import { formFields } from '../form';
import { html, type SafeHtml } from '../html';
import { csrfField } from '../layout';
import { orderTimelineSection } from '../order-timeline';
import { positiveInt, statusBadge, when, yuan } from '../view';

export const REFUND_STATE_TEXT: Readonly<Record<RefundState, string>> = {
  requested: '已登记（积分已扣回，等待支付平台）',
  processing: '退款处理中',
  succeeded: '退款成功',
  closed: '退款已关闭',
  abnormal: '退款异常',
  failed: '退款被拒绝',
};

/** What a quote means, stated for the confirm page: the stamp the POST checks it still holds. */
const stamp = (q: RefundQuote) => `${q.action}:${q.latest?.outRefundNo ?? ''}:${q.balance}`;

function quoteTable(q: RefundQuote): SafeHtml {
  // Nothing to refund (unpaid, cancelled, already refunded): no amounts that read like an offer.
  const amounts =
    q.action === 'none'
      ? ''
      : html`<tr><th>向支付平台申请退款</th><td data-testid="quote-amount">${yuan(q.refundFen)}（全额）</td></tr>
<tr><th>应扣回积分</th><td data-testid="quote-credits">${q.creditsOwed}</td></tr>
<tr><th>用户当前余额</th><td data-testid="quote-balance">${q.balance}</td></tr>
<tr><th>不足（已被消费）</th><td data-testid="quote-shortfall">${q.shortfall}${q.needsForce ? html` <strong class="neg">余额不足：须勾选「强制退款」，将扣回剩余 ${q.creditsOwed - q.shortfall} 积分，差额 ${q.shortfall} 记入流水说明</strong>` : ''}</td></tr>`;
  return html`<table class="kv" data-testid="refund-quote">
${amounts}
<tr><th>当前退款</th><td>${q.latest ? html`第 ${q.latest.attempt} 次 · ${q.latest.outRefundNo} · ${REFUND_STATE_TEXT[q.latest.state]}` : '无'}</td></tr>
${q.why ? html`<tr><th>说明</th><td>${q.why}</td></tr>` : ''}
</table>`;
}

function details(o: Order, tz: string): SafeHtml {
  return html`<table class="kv" data-testid="order-fields">
<tr><th>订单号</th><td data-testid="order-no">${o.orderNo}</td></tr>
<tr><th>订单 ID</th><td>${o.id}</td></tr>
<tr><th>状态</th><td data-testid="order-status">${statusBadge(o.status)}</td></tr>
<tr><th>用户</th><td><a href="/admin/users/${o.userId}">#${o.userId}</a></td></tr>
<tr><th>商品</th><td>${o.productName}（#${o.productId}）· ${o.credits} 积分</td></tr>
<tr><th>金额</th><td>${yuan(o.amountFen)}</td></tr>
<tr><th>支付单号</th><td>${o.paymentId ?? '—'}</td></tr>
<tr><th>创建时间</th><td>${when(o.createdAt, tz)}</td></tr>
<tr><th>支付时间</th><td>${when(o.paymentTime, tz)}</td></tr>
<tr><th>退款时间</th><td>${when(o.refundTime, tz)}</td></tr>
<tr><th>支付截止</th><td>${when(o.expiresAt, tz)}</td></tr>
</table>`;
}

/**
 * 订单详情: fields, the refund state, the whole timeline, 「与支付平台同步」 (the payment-status use case)
 * and 退款 — its quote on a confirm page first, then the POST (reason required; operator and up).
 */
export const orderDetailPage = (deps: AppDeps) => {
  const tz = deps.settings.timeZone;
  const quote = refundQuote(deps);
  const sync = queryPaymentStatus(deps);
  const refund = refundOrder(deps);
  const timelineOf = orderTimelineSection(deps);
  const load = async (raw: string) => {
    const id = positiveInt(raw);
    return id ? deps.orders.findById(id) : null;
  };
  const missing = (
    render: (o: { title: string; active: 'orders'; body: SafeHtml }, s?: number) => Response,
  ) =>
    render(
      { title: '订单不存在', active: 'orders', body: html`<p><a href="/admin/orders">返回订单列表</a></p>` },
      404,
    );

  return consolePage(deps)
    .get(
      '/orders/:id',
      async ({ params, query, render, csrf, operator }) => {
        const order = await load(params.id);
        if (!order) return missing(render);
        const q = await quote(order.id);
        const mayRefund = canDo(operator.role, 'refund') && q.ok && q.value.action !== 'none';
        const actions = html`<div class="actions">
${canDo(operator.role, 'sync_order') ? html`<form method="post" action="/admin/orders/${order.id}/sync" class="inline">${csrfField(csrf)}<button type="submit" data-testid="sync">与支付平台同步</button></form>` : ''}
${mayRefund ? html`<a class="button danger" href="/admin/orders/${order.id}/refund" data-testid="refund-link">退款…</a>` : ''}
</div>`;
        const timeline = await timelineOf(order, query.cursor);
        return render({
          title: `订单 ${order.orderNo}`,
          active: 'orders',
          body: html`${actions}<div class="split"><div>${details(order, tz)}</div>
<div><h2>退款</h2>${q.ok ? quoteTable(q.value) : ''}</div></div>
<h2>时间线</h2>${timeline}`,
        });
      },
      { detail: { hide: true } },
    )
    .post(
      '/orders/:id/sync',
      async (ctx) => {
        const order = await load(ctx.params.id);
        if (!order) return missing(ctx.render);
        const back = `/admin/orders/${order.id}`;
        const result = await sync(order.userId, order.id);
        const after = result.ok
          ? {
              status: result.value.status,
              message: result.value.message,
              ...(result.value.providerState ? { providerState: result.value.providerState } : {}),
            }
          : { error: httpError(result.error).detail };
        await audit(ctx, {
          action: 'order.sync',
          target: { kind: 'order', id: String(order.id) },
          before: { status: order.status },
          after,
        });
        if (!result.ok)
          return ctx.done(back, { kind: 'error', text: `同步失败：${httpError(result.error).detail}` });
        if (result.value.providerState === 'NOT_FOUND')
          return ctx.done(back, {
            kind: 'error',
            text: '已同步：支付平台查无此交易（用户尚未发起支付，或支付平台没有这笔记录），订单仍为待支付',
          });
        return ctx.done(back, `已同步：${result.value.message}`);
      },
      { beforeHandle: requireRole('operator'), detail: { hide: true } },
    )
    .get(
      '/orders/:id/refund',
      async ({ params, render, csrf }) => {
        const order = await load(params.id);
        if (!order) return missing(render);
        const q = await quote(order.id);
        if (!q.ok) return missing(render);
        return render({
          title: `退款确认 ${order.orderNo}`,
          active: 'orders',
          body: confirmBody(order, q.value, csrf),
        });
      },
      { beforeHandle: requireRole('operator'), detail: { hide: true } },
    )
    .post(
      '/orders/:id/refund',
      async (ctx) => {
        const order = await load(ctx.params.id);
        if (!order) return missing(ctx.render);
        const f = formFields(ctx.body);
        const reason = (f.reason ?? '').trim();
        const force = f.force === '1';
        const q = await quote(order.id);
        if (!q.ok) return missing(ctx.render);
        const again = (text: string, status: number) =>
          ctx.render(
            {
              title: `退款确认 ${order.orderNo}`,
              active: 'orders',
              flash: { kind: 'error', text },
              body: confirmBody(order, q.value, ctx.csrf, reason),
            },
            status,
          );
        if (!reason) return again('退款必须填写原因', 400);
        if (reason.length > 200) return again('原因最多 200 个字符', 400);
        if (q.value.action === 'none') return again(q.value.why ?? '该订单不能退款', 409);
        if (f.quote !== stamp(q.value)) return again('订单情况已变化，请核对最新报价后重新确认', 409);
        if (q.value.needsForce && !force) return again('用户积分不足：请勾选「强制退款」后确认', 400);
        const result = await refund(order.id, {
          reason,
          force,
          ...(q.value.retryOf ? { retryOf: q.value.retryOf } : {}),
        });
        const recorded = result.ok || result.error.kind === 'refund_provider_unavailable';
        if (recorded)
          await audit(ctx, {
            action: 'order.refund',
            target: { kind: 'order', id: String(order.id) },
            before: { status: order.status, balance: q.value.balance, refund: q.value.latest?.state ?? null },
            after: result.ok
              ? {
                  status: result.value.order.status,
                  refund: result.value.state,
                  outRefundNo: result.value.attempt.outRefundNo,
                  creditsTaken: creditsTaken(result.value.deduction),
                  force,
                }
              : { error: httpError(result.error).detail, force },
            reason,
          });
        const back = `/admin/orders/${order.id}`;
        if (!result.ok) return ctx.done(back, { kind: 'error', text: httpError(result.error).detail });
        const state = result.value.state;
        if (!gaveUp(state)) return ctx.done(back, `退款：${REFUND_STATE_TEXT[state]}`);
        // Refused or given up: say why here, not only inside the timeline's details.
        const final = (await deps.refunds.events(result.value.attempt.outRefundNo)).find(
          (e) => e.stage === 'final',
        );
        const why = final?.stage === 'final' && final.detail ? `（${final.detail.slice(0, 200)}）` : '';
        return ctx.done(back, { kind: 'error', text: `退款：${REFUND_STATE_TEXT[state]}${why}` });
      },
      { beforeHandle: requireRole('operator'), detail: { hide: true } },
    );
};

function confirmBody(order: Order, q: RefundQuote, csrf: string, reason = ''): SafeHtml {
  if (q.action === 'none')
    return html`${quoteTable(q)}<p>${q.why}</p><p><a href="/admin/orders/${order.id}">返回订单</a></p>`;
  return html`<p>请核对以下内容。确认后将${q.action === 'continue' ? '继续处理当前退款' : '向支付平台申请退款并扣回积分'}。</p>
${quoteTable(q)}
<form method="post" action="/admin/orders/${order.id}/refund" class="form" data-testid="refund-form">${csrfField(csrf)}
<input type="hidden" name="quote" value="${stamp(q)}">
<label>退款原因（必填） <input name="reason" value="${reason}" maxlength="200" required></label>
${q.needsForce ? html`<label class="check"><input type="checkbox" name="force" value="1"> 强制退款（只扣回剩余积分）</label>` : ''}
<div class="actions"><a href="/admin/orders/${order.id}">取消</a> <button type="submit" class="danger" data-testid="confirm-refund">确认退款 ${yuan(q.refundFen)}</button></div>
</form>`;
}
