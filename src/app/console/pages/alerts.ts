import { ALERT_STATES, type AlertState, type StoredAlert } from '../../../domain/alert';
import type { AppDeps } from '../../http/context';
import { consolePage } from '../auth';
import { html } from '../html';
import { pageOf, pager } from '../pager';
import { emptyRow, keep, LIST_SIZE, when } from '../view';

const STATE_TEXT: Readonly<Record<AlertState, string>> = {
  pending: '待发送',
  sent: '已发送',
  suppressed: '频率限制，待汇总',
  summarized: '已合并进汇总',
  failed: '发送失败（已放弃重试）',
  logged: '仅记录（未配置 webhook）',
};

const isState = (s: string | undefined): s is AlertState => ALERT_STATES.includes(s as AlertState);

/**
 * 告警: what was raised for a human (second payments, reused transactions, audit violations, statement differences, paid
 * orders not completed, a growing review queue), newest first, whether or not a webhook is set: an
 * operator without the WeCom group still sees them here. Read-only; every role may look.
 */
export const alertsPage = (deps: AppDeps) => {
  const tz = deps.settings.timeZone;
  return consolePage(deps).get(
    '/alerts',
    async ({ query, render }) => {
      const state = isState(query.state) ? query.state : undefined;
      const { n: page, skip, limit } = pageOf(query.page, LIST_SIZE);
      const rows = deps.alertOutbox
        ? await deps.alertOutbox.list(state ? { state } : {}, { skip, limit })
        : [];
      const row = (a: StoredAlert) =>
        html`<tr data-alert-id="${a.id}"><td>${when(a.raisedAt, tz)}</td><td><span class="badge ${a.severity === 'critical' ? 'danger' : ''}">${a.severity === 'critical' ? '严重' : '警告'}</span></td><td><strong>${a.title}</strong><br><span class="muted">${a.text}</span></td><td>${STATE_TEXT[a.state]}${a.lastError ? html`<br><span class="muted">${a.lastError}</span>` : ''}</td></tr>`;
      const filter = html`<form method="get" action="/admin/alerts" class="form filters"><label>状态 <select name="state"><option value="">全部</option>${ALERT_STATES.map((s) => html`<option value="${s}"${s === state ? ' selected' : ''}>${STATE_TEXT[s]}</option>`)}</select></label> <button type="submit">筛选</button></form>`;
      return render({
        title: '告警',
        active: 'alerts',
        body: html`${deps.alertOutbox ? '' : html`<p class="muted">未启用告警记录。</p>`}${filter}
<table class="grid" data-testid="alerts"><thead><tr><th>时间</th><th>级别</th><th>内容</th><th>发送</th></tr></thead><tbody>
${rows.length === 0 ? emptyRow(4, '没有告警') : rows.slice(0, limit - 1).map(row)}</tbody></table>
${pager('/admin/alerts', page, rows.length === limit, keep(query))}`,
      });
    },
    { detail: { hide: true } },
  );
};
