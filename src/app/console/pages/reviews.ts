import { canDo } from '../../../domain/operators/operator';
import type { Review } from '../../../domain/review';
import { listReviews, resolveReview } from '../../../domain/usecases/admin';
import type { AppDeps } from '../../http/context';
import { httpError } from '../../http/errors';
import { audit, consolePage, requireRole } from '../auth';
import { formFields } from '../form';
import { html } from '../html';
import { csrfField } from '../layout';
import { pageOf, pager } from '../pager';
import { emptyRow, keep, LIST_SIZE, when } from '../view';

const REASONS: Readonly<Record<Review['reason'], string>> = {
  refunded_before_settlement: '未见支付即被退款',
  second_payment: '重复支付',
  payment_reused: '交易号已属于另一订单',
  unresolved: '自动核对未能解决',
  status_without_settlement: '状态与结算记录不符',
  shipping_failed: '发货信息上传失败',
};

/** What an operator does about each reason (README: the review queue); shown under the reason. */
const HINTS: Readonly<Record<Review['reason'], string>> = {
  refunded_before_settlement: '在商户平台核对：钱已退回用户则无需补发积分；注明后标记已处理。',
  second_payment: '积分只发放了一次：在商户平台退还第二笔款项，再标记已处理。',
  payment_reused:
    '在商户平台查这笔交易属于哪个订单。本订单「同步」仍显示未支付：报告有误（若是伪造回调，请更换回调密钥）。用户确实另行付款：用「调整积分」补发。两单都已发放：追回多发的积分或退款。',
  unresolved: '在订单页「同步」向支付方查询；仍无结果时联系支付方，处理后标记。',
  status_without_settlement: '订单状态与结算记录不符：在「数据核查」页运行核查，把结果交给技术人员。',
  shipping_failed: '在微信后台「发货信息管理」补录发货信息，资金才会解冻。',
};

/** 复核: what the sweeper handed to a human (open first), resolved with a note. */
export const reviewsPage = (deps: AppDeps) => {
  const tz = deps.settings.timeZone;
  const list = listReviews(deps);
  const resolve = resolveReview(deps);
  return consolePage(deps)
    .get(
      '/reviews',
      async ({ query, render, csrf, operator }) => {
        const all = query.all === '1';
        const { n: page, skip, limit } = pageOf(query.page, LIST_SIZE);
        const rows = await list(!all, { skip, limit });
        const may = canDo(operator.role, 'resolve_review');
        const row = (
          r: Review,
        ) => html`<tr data-review-id="${r.id}"><td>${when(r.createdAt, tz)}</td><td><a href="/admin/orders/${r.orderId}">${r.orderNo}</a></td><td>${REASONS[r.reason]}${r.resolvedAt ? '' : html`<br><span class="muted">${HINTS[r.reason]}</span>`}</td><td>${r.detail}</td>
<td>${r.resolvedAt ? html`已处理 ${when(r.resolvedAt, tz)}：${r.resolution}` : may ? html`<form method="post" action="/admin/reviews/${encodeURIComponent(r.id)}/resolve" class="inline">${csrfField(csrf)}<input name="note" placeholder="处理说明（必填）" maxlength="500" required> <button type="submit">标记已处理</button></form>` : '待处理'}</td></tr>`;
        return render({
          title: '复核',
          active: 'reviews',
          body: html`<p>${all ? html`<a href="/admin/reviews">只看待处理</a>` : html`<a href="/admin/reviews?all=1">包含已处理</a>`}</p>
<table class="grid" data-testid="reviews"><thead><tr><th>时间</th><th>订单</th><th>原因</th><th>详情</th><th>处理</th></tr></thead><tbody>
${rows.length === 0 ? emptyRow(5, '没有待复核事项') : rows.slice(0, limit - 1).map(row)}</tbody></table>
${pager('/admin/reviews', page, rows.length === limit, keep(query))}`,
        });
      },
      { detail: { hide: true } },
    )
    .post(
      '/reviews/:id/resolve',
      async (ctx) => {
        const note = (formFields(ctx.body).note ?? '').trim();
        if (!note || note.length > 500)
          return ctx.done('/admin/reviews', { kind: 'error', text: '处理说明必填，最多 500 个字符' });
        const before = await deps.reviews.find(ctx.params.id);
        const resolved = await resolve(ctx.params.id, note);
        if (!resolved.ok)
          return ctx.done('/admin/reviews', { kind: 'error', text: httpError(resolved.error).detail });
        await audit(ctx, {
          action: 'review.resolve',
          target: { kind: 'review', id: resolved.value.id },
          before: { resolvedAt: before?.resolvedAt ?? null, resolution: before?.resolution ?? null },
          after: { resolvedAt: resolved.value.resolvedAt, resolution: note },
          reason: note,
        });
        return ctx.done('/admin/reviews', `已处理 ${resolved.value.orderNo}`);
      },
      { beforeHandle: requireRole('operator'), detail: { hide: true } },
    );
};
