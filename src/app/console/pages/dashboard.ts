import type { Sums } from '../../../domain/figures';
import { ACTION_ROLES, type ConsoleAction, canDo } from '../../../domain/operators/operator';
import { type Capped, dashboard, figureCache } from '../../../domain/usecases/dashboard';
import type { AppDeps } from '../../http/context';
import { consolePage } from '../auth';
import { html, type SafeHtml } from '../html';
import { age, when, yuan } from '../view';

/** A computed dashboard is served for this long; the page says when it was computed. */
export const DASHBOARD_TTL_MS = 60_000;
/** 「刷新」 recomputes a dashboard older than this (so reloading it cannot hammer the database). */
export const DASHBOARD_REFRESH_MS = 5_000;
/**
 * A page waits this long for a dashboard being computed; then it says so and the computation goes on
 * (the very first one of a database reads a week of hourly records, see docs/benchmarks.md).
 */
export const DASHBOARD_WAIT_MS = 3_000;
/** Open orders and refunds are counted up to this many each ("1000+"). */
export const DASHBOARD_CAP = 1000;

const ACTION_LABELS: Readonly<Record<ConsoleAction, string>> = {
  read: '查看全部数据',
  export_csv: '导出 CSV',
  sync_order: '与支付平台同步订单',
  refund: '退款',
  adjust_credits: '调整积分',
  disable_user: '禁用/启用用户',
  resolve_review: '处理复核事项',
  edit_product: '创建/编辑/下架商品与价格',
  manage_operators: '管理操作员',
  run_statement: '执行对账',
  run_audit: '运行数据核查',
};

const capped = (c: Capped): string => `${c.count}${c.capped ? '+' : ''}`;

function period(title: string, s: Sums, testid: string): SafeHtml {
  return html`<section class="card" data-testid="${testid}"><h2>${title}</h2>
<p class="big">${yuan(s.salesFen)}</p><p class="muted">${s.salesCount} 笔支付</p>
<table class="kv">
<tr><th>已支付</th><td>${s.paid}</td></tr>
<tr><th>已完成（积分已发放）</th><td>${s.completed}</td></tr>
<tr><th>已取消</th><td>${s.cancelled}</td></tr>
<tr><th>已退款</th><td>${s.refunded}</td></tr>
<tr><th>发放积分</th><td>${s.creditsIssued}</td></tr>
<tr><th>消费积分</th><td>${s.creditsSpent}</td></tr>
</table></section>`;
}

/** 总览: the shop at a glance, bounded whatever the store holds (usecases/dashboard.ts). */
export const dashboardPage = (deps: AppDeps) => {
  const view = dashboard(deps, { ttlMs: DASHBOARD_TTL_MS, cap: DASHBOARD_CAP }, figureCache());
  const tz = deps.settings.timeZone;
  return consolePage(deps).get(
    '/',
    async ({ render, operator, query }) => {
      const computing = view(query.refresh === '1' ? DASHBOARD_REFRESH_MS : DASHBOARD_TTL_MS);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waited = new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), DASHBOARD_WAIT_MS);
      });
      const d = await Promise.race([computing, waited]).finally(() => clearTimeout(timer));
      if (!d) {
        computing.catch((e) =>
          deps.log('dashboard.failed', { error: e instanceof Error ? e.message : String(e) }),
        );
        return render({
          title: '总览',
          active: 'home',
          body: html`<p data-testid="computing">正在统计（首次统计需读取近 7 日每小时的记录），请稍后<a href="/admin">刷新</a>。</p>`,
        });
      }
      const may = (Object.keys(ACTION_ROLES) as ConsoleAction[]).map(
        (a) =>
          html`<li class="${canDo(operator.role, a) ? '' : 'muted'}">${canDo(operator.role, a) ? '✓' : '✗'} ${ACTION_LABELS[a]}</li>`,
      );
      const now = deps.clock.now();
      const open = (c: Capped, label: string, testid: string, href: string) =>
        html`<tr data-testid="${testid}"><th><a href="${href}">${label}</a></th><td>${capped(c)}</td><td>${c.oldestAt ? html`最早 ${when(c.oldestAt, tz)}（${age(c.oldestAt, now)}前）` : '—'}</td></tr>`;
      const credits = d.credits
        ? html`<table class="kv">
<tr><th>累计发放</th><td>${d.credits.issued}</td></tr>
<tr><th>累计消费</th><td>${d.credits.spent}</td></tr>
<tr><th>退款扣回 / 调减</th><td>${d.credits.takenBack}</td></tr>
<tr><th>用户持有（未使用）</th><td data-testid="credits-outstanding">${d.credits.outstanding}</td></tr>
</table>`
        : html`<p class="muted">积分累计统计中（首次统计在服务启动后的下一个整点完成）</p>`;
      return render({
        title: '总览',
        active: 'home',
        body: html`<p class="muted" data-testid="computed-at">数据更新于 ${when(d.computedAt, tz)}（每 ${DASHBOARD_TTL_MS / 1000} 秒刷新，时区 ${tz}） <a href="/admin?refresh=1">立即刷新</a></p>
<div class="cards">
${period('今日', d.today, 'today')}
${period('近 7 日（含今日）', d.last7Days, 'week')}
<section class="card"><h2>积分</h2>${credits}</section>
</div>
<section><h2>待处理</h2>
<table class="grid">
<thead><tr><th>事项</th><th>数量</th><th>最早</th></tr></thead>
<tbody>
${open(d.pending, '待支付订单', 'pending', '/admin/orders?status=pending')}
${open(d.paidNotCompleted, '已支付未完成（积分未发放）', 'paid-not-completed', '/admin/orders?status=paid')}
${open(d.refundsInFlight, '退款处理中', 'refunds-in-flight', '/admin/orders?status=completed')}
</tbody></table>
<p class="muted">计数上限 ${DASHBOARD_CAP}（超出显示 “${DASHBOARD_CAP}+”）。</p>
</section>
<details><summary>本角色可执行的操作</summary><ul class="plain">${may}</ul></details>`,
      });
    },
    { detail: { hide: true } },
  );
};
