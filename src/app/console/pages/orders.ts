import { STATUS_TEXT } from '../../../domain/csv';
import { canDo } from '../../../domain/operators/operator';
import { ORDER_NO_PATTERN, type Order } from '../../../domain/order';
import { searchOrders } from '../../../domain/usecases/admin';
import { exportOrders } from '../../../domain/usecases/export';
import type { AppDeps } from '../../http/context';
import { consolePage } from '../auth';
import { csvResponse } from '../csv-response';
import { html, type SafeHtml } from '../html';
import { ORDER_STATUSES, type OrderQuery, orderFilterOf, readOrderQuery } from '../order-filter';
import { pageOf, pager } from '../pager';
import { emptyRow, LIST_SIZE, statusBadge, when, yuan } from '../view';

function searchForm(q: OrderQuery): SafeHtml {
  const option = (s: string, label: string) =>
    html`<option value="${s}"${q.status === s ? html` selected` : ''}>${label}</option>`;
  return html`<form method="get" action="/admin/orders" class="form filters" data-testid="order-search">
<label>订单号或交易号 <input name="order_no" value="${q.order_no ?? ''}" maxlength="64" placeholder="完整订单号 P2026…，或支付凭证上的交易单号"></label>
<label>用户 ID 或 openid <input name="user_id" value="${q.user_id ?? ''}" maxlength="64"></label>
<label>状态 <select name="status">${option('', '全部')}${ORDER_STATUSES.map((s) => option(s, STATUS_TEXT[s]))}</select></label>
<label>开始日期 <input type="date" name="from" value="${q.from ?? ''}"></label>
<label>结束日期 <input type="date" name="to" value="${q.to ?? ''}"></label>
<label>金额（元） <input name="amount" value="${q.amount ?? ''}" inputmode="decimal" maxlength="12"></label>
<button type="submit">搜索</button>
</form>`;
}

const table = (orders: Order[], tz: string) =>
  html`<table class="grid" data-testid="orders"><thead><tr><th>订单号</th><th>用户</th><th>商品</th><th>金额</th><th>积分</th><th>状态</th><th>创建时间</th><th>支付时间</th></tr></thead><tbody>
${orders.length === 0 ? emptyRow(8, '没有符合条件的订单') : orders.map((o) => html`<tr data-order-id="${o.id}"><td><a href="/admin/orders/${o.id}">${o.orderNo}</a></td><td><a href="/admin/users/${o.userId}">${o.userId}</a></td><td>${o.productName}</td><td class="num">${yuan(o.amountFen)}</td><td class="num">${o.credits}</td><td>${statusBadge(o.status)}</td><td>${when(o.createdAt, tz)}</td><td>${when(o.paymentTime, tz)}</td></tr>`)}
</tbody></table>`;

/**
 * The number field takes our order number or the provider's transaction number a complaint quotes
 * (the user's WeChat payment receipt shows it): a transaction is found through its payment claim
 * (a point read) and searched as the order holding it.
 */
async function byTransaction(deps: AppDeps, q: OrderQuery): Promise<{ q: OrderQuery; error?: string }> {
  const given = q.order_no;
  if (!given || ORDER_NO_PATTERN.test(given)) return { q };
  const claim = await deps.settlements.paymentClaim(given);
  const order = claim ? await deps.orders.findById(claim.orderId) : null;
  if (order) return { q: { ...q, order_no: order.orderNo } };
  return { q, error: `没有订单号或交易号为 ${given} 的已支付订单` };
}

/**
 * The user field takes an id or the openid a complaint quotes: an openid is looked up (one indexed
 * equality) and searched as its user's id; one no user has is said so, instead of "must be a number".
 */
async function searchOf(deps: AppDeps, query: OrderQuery, tz: string) {
  const { q, error } = await byTransaction(deps, query);
  if (error) return { filter: orderFilterOf(q, tz).filter, errors: [error] };
  const given = q.user_id;
  // An openid has letters; anything else (-1, 1.5) is a malformed id and said so by orderFilterOf.
  if (!given || !/[A-Za-z]/.test(given)) return orderFilterOf(q, tz);
  const user = await deps.users.findByOpenid(given);
  const found = orderFilterOf({ ...q, user_id: user ? String(user.id) : undefined }, tz);
  return user ? found : { filter: found.filter, errors: [`没有 openid 为 ${given} 的用户`, ...found.errors] };
}

/** 订单: search (order number, user, status, whole days in TZ, amount), paginated, and its CSV export. */
export const ordersPage = (deps: AppDeps) => {
  const tz = deps.settings.timeZone;
  const search = searchOrders(deps);
  const csv = exportOrders(deps);
  return consolePage(deps)
    .get(
      '/orders',
      async ({ query, render, operator }) => {
        const q = readOrderQuery(query);
        const { filter, errors } = await searchOf(deps, q, tz);
        const { n: page, skip, limit } = pageOf(query.page, LIST_SIZE);
        const rows = errors.length ? [] : await search(filter, { skip, limit });
        const exportLink = new URLSearchParams(q as Record<string, string>).toString();
        return render(
          {
            title: '订单',
            active: 'orders',
            flash: errors.length ? { kind: 'error', text: errors.join('；') } : null,
            body: html`${searchForm(q)}
${canDo(operator.role, 'export_csv') ? html`<p><a href="/admin/orders/export.csv?${exportLink}" data-testid="orders-csv">导出 CSV</a> <span class="muted">（按当前条件，最多 10000 行；日期按 ${tz} 整天计算）</span></p>` : ''}
${table(rows.slice(0, limit - 1), tz)}${pager('/admin/orders', page, rows.length === limit, { ...q })}`,
          },
          errors.length ? 400 : 200,
        );
      },
      { detail: { hide: true } },
    )
    .get(
      '/orders/export.csv',
      async ({ query, render }) => {
        const { filter, errors } = await searchOf(deps, readOrderQuery(query), tz);
        if (errors.length)
          return render(
            {
              title: '订单',
              active: 'orders',
              flash: { kind: 'error', text: errors.join('；') },
              body: html``,
            },
            400,
          );
        return csvResponse(csv(filter), 'orders.csv');
      },
      { detail: { hide: true } },
    );
};
