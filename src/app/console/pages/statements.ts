import { canDo } from '../../../domain/operators/operator';
import {
  DIFFERENCE_TEXT,
  isStatementDate,
  type StatementDifference,
  type StatementReport,
  statementDay,
} from '../../../domain/statement';
import { reconcileStatement } from '../../../domain/usecases/statement';
import type { AppDeps } from '../../http/context';
import { httpError } from '../../http/errors';
import { audit, consolePage, requireRole } from '../auth';
import { html, type SafeHtml } from '../html';
import { csrfField } from '../layout';
import { pageOf, pager } from '../pager';
import { emptyRow, keep, LIST_SIZE, when, yuan } from '../view';

const order = (no: string) => html`<a href="/admin/orders?order_no=${no}">${no}</a>`;

function difference(d: StatementDifference): SafeHtml {
  const label = DIFFERENCE_TEXT[d.kind];
  switch (d.kind) {
    case 'missing_here':
      return html`<td>${label}</td><td>${order(d.outTradeNo)}</td><td>${yuan(d.amountFen)}${d.healed ? '（已按正常流程补结算）' : ''}</td>`;
    case 'missing_there':
      return html`<td>${label}</td><td>${order(d.outTradeNo)}</td><td>${yuan(d.amountFen)}</td>`;
    case 'amount_mismatch':
      return html`<td>${label}</td><td>${order(d.outTradeNo)}</td><td>本地 ${yuan(d.ours)} / 对方 ${yuan(d.theirs)}</td>`;
    case 'refund_missing_here':
      return html`<td>${label}</td><td>${order(d.outTradeNo)} · ${d.outRefundNo}</td><td>${yuan(d.refundFen)}</td>`;
    case 'refund_missing_there':
      return html`<td>${label}</td><td>${d.outRefundNo}</td><td>${yuan(d.refundFen)}</td>`;
    case 'refund_amount_mismatch':
      return html`<td>${label}</td><td>${d.outRefundNo}</td><td>本地 ${yuan(d.ours)} / 对方 ${yuan(d.theirs)}</td>`;
  }
}

const report = (r: StatementReport, tz: string) =>
  html`<table class="kv" data-testid="statement"><tr><th>日期</th><td>${r.date}</td></tr>
<tr><th>生成时间</th><td>${when(r.createdAt, tz)}</td></tr>
<tr><th>对方交易 / 退款</th><td>${r.trades} / ${r.refunds}</td></tr>
<tr><th>一致</th><td>${r.matched}</td></tr>
<tr><th>差异</th><td>${r.differences.length}</td></tr></table>
<table class="grid"><thead><tr><th>差异</th><th>单号</th><th>金额</th></tr></thead><tbody>
${r.differences.length === 0 ? emptyRow(3, '没有差异') : r.differences.map((d) => html`<tr>${difference(d)}</tr>`)}</tbody></table>`;

/** What today's provisional run did and did not do, for the operator who ran it. */
function provisionalNotice(r: StatementReport): string {
  const healed = r.differences.filter((d) => d.kind === 'missing_here' && d.healed).length;
  return [
    '今天（北京时间）尚未结束：这是截至现在的临时核对结果，不保存，可随时再运行。',
    healed > 0
      ? `其中 ${healed} 笔对方已支付、本地未结算的订单已按正常流程补结算并发放积分（正式报告仍会列出它们）。`
      : '',
    '正式报告在次日由定时对账生成（默认北京时间 10 点后）。',
  ].join('');
}

/** 对账: the daily statement reports (newest first), one report, and a run for a date (admin). */
export const statementsPage = (deps: AppDeps) => {
  const tz = deps.settings.timeZone;
  return consolePage(deps)
    .get(
      '/statements',
      async ({ query, render, csrf, operator }) => {
        const { n: page, skip, limit } = pageOf(query.page, LIST_SIZE);
        const rows = deps.statementReports ? await deps.statementReports.list({ skip, limit }) : [];
        const runForm =
          canDo(operator.role, 'run_statement') && deps.statements
            ? html`<form method="post" action="/admin/statements/run" class="form filters">${csrfField(csrf)}<label>日期（北京时间） <input type="date" name="date" max="${statementDay(deps.clock.now())}" required></label> <button type="submit">立即对账</button></form>`
            : '';
        return render({
          title: '对账',
          active: 'statements',
          body: html`${deps.statementReports ? '' : html`<p class="muted">未启用对账。</p>`}${runForm}
<table class="grid" data-testid="statements"><thead><tr><th>日期</th><th>对方交易</th><th>对方退款</th><th>一致</th><th>差异</th><th>生成时间</th></tr></thead><tbody>
${rows.length === 0 ? emptyRow(6, '还没有对账报告') : rows.slice(0, limit - 1).map((r) => html`<tr><td><a href="/admin/statements/${r.date}">${r.date}</a></td><td>${r.trades}</td><td>${r.refunds}</td><td>${r.matched}</td><td class="${r.differences.length ? 'neg' : ''}">${r.differences.length}</td><td>${when(r.createdAt, tz)}</td></tr>`)}
</tbody></table>${pager('/admin/statements', page, rows.length === limit, keep(query))}`,
        });
      },
      { detail: { hide: true } },
    )
    .get(
      '/statements/:date',
      async ({ params, render }) => {
        const r = isStatementDate(params.date) ? await deps.statementReports?.find(params.date) : null;
        if (!r)
          return render(
            {
              title: '该日期尚无对账报告',
              active: 'statements',
              body: html`<p><a href="/admin/statements">返回</a></p>`,
            },
            404,
          );
        return render({ title: `对账 ${r.date}`, active: 'statements', body: report(r, tz) });
      },
      { detail: { hide: true } },
    )
    .post(
      '/statements/run',
      async (ctx) => {
        const date = String((ctx.body as Record<string, unknown> | null)?.date ?? '').trim();
        if (!isStatementDate(date))
          return ctx.done('/admin/statements', {
            kind: 'error',
            text: `「${date.slice(0, 40)}」不是有效日期（YYYY-MM-DD）`,
          });
        const { statements, statementReports } = deps;
        if (!statements || !statementReports)
          return ctx.done('/admin/statements', { kind: 'error', text: '当前支付方式不支持对账单' });
        const existed = await statementReports.find(date);
        const run = await reconcileStatement({ ...deps, statements, statementReports })(date);
        if (!run.ok)
          return ctx.done('/admin/statements', { kind: 'error', text: httpError(run.error).detail });
        await audit(ctx, {
          action: 'statement.run',
          target: { kind: 'statement', id: date },
          before: { report: existed ? 'exists' : null },
          after: {
            matched: run.value.report.matched,
            differences: run.value.report.differences.length,
            ...(run.value.provisional ? { provisional: true } : {}),
          },
        });
        // Today's run is not stored (the day is not over): its result is shown here, once.
        if (run.value.provisional)
          return ctx.render({
            title: `对账 ${date}（今日，临时结果）`,
            active: 'statements',
            body: html`<p class="flash flash-ok" data-testid="provisional">${provisionalNotice(run.value.report)}</p>${report(run.value.report, tz)}<p><a href="/admin/statements">返回</a></p>`,
          });
        return ctx.done(`/admin/statements/${date}`, existed ? '该日已有报告（未重复执行）' : '对账完成');
      },
      { beforeHandle: requireRole('admin'), detail: { hide: true } },
    );
};
