import { operatorActionsSource } from '../../domain/operators/timeline-source';
import type { Order } from '../../domain/order';
import type { TimelineItem } from '../../domain/timeline';
import { orderTimeline } from '../../domain/usecases/timeline';
import type { AppDeps } from '../http/context';
import { html, type SafeHtml } from './html';
import { when } from './view';

/** Items per timeline page on the order detail page; older ones behind 「更早的记录」. */
export const TIMELINE_PAGE = 100;

const KIND_TEXT: Readonly<Record<TimelineItem['kind'], string>> = {
  order_created: '创建订单',
  prepay: '预下单',
  provider_query: '查询支付',
  provider_close: '关闭交易',
  refund_request: '申请退款',
  refund_query: '查询退款',
  callback: '支付回调',
  refund_callback: '退款回调',
  sweeper_check: '自动核对',
  settlement: '结算',
  status_changed: '状态',
  ledger_entry: '积分流水',
  refund_attempt: '退款登记',
  refund_processing: '退款受理',
  refund_outcome: '退款结果',
  review_opened: '复核',
  review_resolved: '复核处理',
  operator_action: '操作员',
};

/** A record's facts as readable JSON, bounded so a large payload never makes the page huge. */
const facts = (detail: Readonly<Record<string, unknown>>): SafeHtml => {
  const text = JSON.stringify(detail, null, 1);
  return html`<details><summary>详情</summary><pre class="json">${text.length > 4000 ? `${text.slice(0, 4000)}…` : text}</pre></details>`;
};

/**
 * The order's timeline (usecases/timeline.ts) with the operator audit log plugged in as
 * `operatorActions`: oldest first, a page at a time (`?cursor=` for the older ones).
 */
export function orderTimelineSection(deps: AppDeps) {
  const timeline = orderTimeline(deps, {
    ...deps.timelineSources,
    operatorActions: operatorActionsSource(deps),
  });
  const tz = deps.settings.timeZone;
  return async (order: Order, cursor?: string): Promise<SafeHtml> => {
    const page = await timeline(order.id, { limit: TIMELINE_PAGE, ...(cursor ? { cursor } : {}) });
    if (!page.ok)
      return html`<p class="flash flash-error">时间线参数无效。<a href="/admin/orders/${order.id}">查看最新记录</a></p>`;
    const { items, nextCursor } = page.value;
    return html`${nextCursor ? html`<p><a href="/admin/orders/${order.id}?cursor=${encodeURIComponent(nextCursor)}#timeline" data-testid="timeline-older">更早的记录</a></p>` : ''}
<ol class="timeline" id="timeline" data-testid="timeline">${items.map(
      (i) =>
        html`<li data-kind="${i.kind}"><time>${when(i.at, tz)}</time><span class="kind">${KIND_TEXT[i.kind] ?? i.kind}</span> ${i.summary}${facts(i.detail)}</li>`,
    )}</ol>
${cursor ? html`<p><a href="/admin/orders/${order.id}#timeline">回到最新记录</a></p>` : ''}`;
  };
}
