import { AUDIT_RULE_TEXT } from '../../../domain/alert-kinds';
import type { AuditTrigger, Finding, StoredAuditReport } from '../../../domain/audit';
import { canDo } from '../../../domain/operators/operator';
import { auditRunner } from '../../http/audit-runner';
import type { AppDeps } from '../../http/context';
import { audit, consolePage, requireRole } from '../auth';
import { html, type SafeHtml } from '../html';
import { csrfField } from '../layout';
import { emptyRow, when } from '../view';

const TRIGGER_TEXT: Readonly<Record<AuditTrigger, string>> = {
  daily: '每日定时',
  api: '管理接口（POST /api/admin/audit）',
  console: '控制台',
  cli: '命令行（bun run audit）',
};

const rule = (check: string) => html`${AUDIT_RULE_TEXT[check] ?? check} <span class="muted">${check}</span>`;

/** A finding's subject ("order 12", "user 5 seq 3", "review 12:second_payment") as a link to its page. */
function subject(s: string): SafeHtml | string {
  const order = /^(?:order|review) (\d+)/.exec(s);
  if (order) return html`<a href="/admin/orders/${order[1]}">${s}</a>`;
  const user = /^user (\d+)/.exec(s);
  if (user) return html`<a href="/admin/users/${user[1]}">${s}</a>`;
  return s;
}

function report(run: StoredAuditReport, tz: string): SafeHtml {
  const r = run.report;
  const found = Object.values(r.violations).reduce((a, b) => a + b, 0);
  const finding = (f: Finding) =>
    html`<tr><td>${rule(f.check)}</td><td>${subject(f.subject)}</td><td>${f.message}</td></tr>`;
  return html`<table class="kv" data-testid="integrity-report"><tr><th>结果</th><td>${r.ok ? html`<span class="badge">全部一致</span>` : html`<span class="badge danger">发现 ${found} 处问题</span>`}</td></tr>
<tr><th>开始 / 完成</th><td>${when(run.startedAt, tz)} / ${when(run.finishedAt, tz)}</td></tr>
<tr><th>运行方式</th><td>${TRIGGER_TEXT[run.trigger]}</td></tr>
<tr><th>检查范围</th><td>${r.scanned.users} 个用户的 ${r.scanned.entries} 条积分流水，${r.scanned.orders} 个订单，${r.scanned.reviews} 条复核事项</td></tr></table>
${
  r.ok
    ? ''
    : html`<h2>各规则问题数</h2><table class="grid" data-testid="integrity-violations"><thead><tr><th>规则</th><th>处数</th></tr></thead><tbody>
${Object.entries(r.violations).map(([check, n]) => html`<tr><td>${rule(check)}</td><td class="neg">${n}</td></tr>`)}</tbody></table>
<h2>问题明细${r.findings.length < found ? html` <span class="muted">（前 ${r.findings.length} 条）</span>` : ''}</h2>
<table class="grid" data-testid="integrity-findings"><thead><tr><th>规则</th><th>对象</th><th>说明</th></tr></thead><tbody>
${r.findings.length === 0 ? emptyRow(3) : r.findings.map(finding)}</tbody></table>`
}`;
}

/**
 * 数据核查: the integrity audit (domain/audit.ts) as an operator runs and reads it — the latest
 * stored report of any instance, whether a run is going here, and a run in the background (admin).
 * The same runner as POST /api/admin/audit: one whole-store scan at a time per process.
 */
export const integrityPage = (deps: AppDeps) => {
  const tz = deps.settings.timeZone;
  const runner = auditRunner(deps);
  return consolePage(deps)
    .get(
      '/integrity',
      async ({ render, csrf, operator }) => {
        const since = runner.runningSince();
        const failure = runner.lastFailure();
        const latest = await deps.auditReports.latest();
        const runForm =
          canDo(operator.role, 'run_audit') && !since
            ? html`<form method="post" action="/admin/integrity/run" class="form filters">${csrfField(csrf)}<button type="submit">立即核查</button></form>`
            : '';
        return render({
          title: '数据核查',
          active: 'integrity',
          body: html`<p class="muted">逐项核对积分流水、结算与积分发放、订单状态、退款记录和待处理复核是否一致。核查读取全部数据，数据多时需要几分钟，在后台运行；每天也会定时自动运行一次，发现问题时发出告警。</p>
${failure ? html`<p class="flash flash-error" data-testid="integrity-failed">开始于 ${when(failure.startedAt, tz)} 的核查未能完成（${failure.error}），下方仍是此前的报告。可再次核查；反复失败请交技术人员查看日志 audit.failed。</p>` : ''}${since ? html`<p class="flash flash-ok" data-testid="integrity-running">正在核查（开始于 ${when(since, tz)}），完成后刷新本页查看结果。</p>` : ''}${runForm}
<h2>最近一次核查</h2>
${latest ? report(latest, tz) : html`<p class="muted" data-testid="integrity-none">还没有核查报告。</p>`}`,
        });
      },
      { detail: { hide: true } },
    )
    .post(
      '/integrity/run',
      async (ctx) => {
        const running = runner.runningSince();
        const startedAt = running ?? runner.start('console');
        if (!running)
          await audit(ctx, {
            action: 'integrity.run',
            target: { kind: 'integrity', id: startedAt.toISOString() },
            before: null,
            after: { started_at: when(startedAt, tz) },
          });
        return ctx.done(
          '/admin/integrity',
          running
            ? `已有核查在运行（开始于 ${when(running, tz)}），未重复开始`
            : '已开始核查，完成后刷新本页查看结果',
        );
      },
      { beforeHandle: requireRole('admin'), detail: { hide: true } },
    );
};
