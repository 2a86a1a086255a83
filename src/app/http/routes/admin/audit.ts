import { Elysia } from 'elysia';
import type { StoredAuditReport } from '../../../../domain/audit';
import { formatLocal } from '../../../../domain/time';
import { type AuditReportBody, AuditStartedBody, AuditStatusBody } from '../../admin-schemas';
import { auditRunner } from '../../audit-runner';
import { authPlugin } from '../../auth';
import type { AppDeps } from '../../context';
import { type Limiter, rateLimits } from '../../limits';
import { ErrorBody } from '../../schemas';

const guarded = { 401: ErrorBody, 403: ErrorBody, 429: ErrorBody };

/**
 * The integrity audit on demand (also `bun run audit` and the daily run). A run reads the whole
 * store — minutes on a grown one — so POST starts it in the background, one at a time in this
 * process, and GET answers at once with the latest stored report.
 */
export const adminAuditRoutes = (deps: AppDeps, limits: Limiter) => {
  const audits = auditRunner(deps);
  const ts = (d: Date) => formatLocal(d, deps.settings.timeZone) as string;
  const present = (r: StoredAuditReport): typeof AuditReportBody.static => ({
    id: r.id,
    trigger: r.trigger,
    started_at: ts(r.startedAt),
    finished_at: ts(r.finishedAt),
    ok: r.report.ok,
    scanned: r.report.scanned,
    violations: r.report.violations,
    findings: r.report.findings,
  });
  return new Elysia({ prefix: '/api/admin/audit', detail: { tags: ['管理'] } })
    .use(authPlugin(deps))
    .use(rateLimits(limits))
    .get(
      '/',
      async () => {
        const since = audits.runningSince();
        const latest = await deps.auditReports.latest();
        const failure = audits.lastFailure();
        return {
          running: since !== null,
          running_since: since ? ts(since) : null,
          report: latest ? present(latest) : null,
          last_failure: failure
            ? { started_at: ts(failure.startedAt), failed_at: ts(failure.failedAt), error: failure.error }
            : null,
        };
      },
      {
        admin: true,
        limit: 'admin',
        detail: {
          summary: '最近一次数据一致性审计',
          description:
            '立即返回最近完成的一次审计报告（每日定时、POST 手动或 bun run audit 运行的，report 为 null 表示从未运行）及本实例是否正在运行审计。',
        },
        response: { 200: AuditStatusBody, ...guarded },
      },
    )
    .post('/', ({ status }) => status(202, { running: true as const, started_at: ts(audits.start('api')) }), {
      admin: true,
      limit: 'admin',
      detail: {
        summary: '运行数据一致性审计',
        description:
          '在后台开始一次审计并立即返回 202；本实例已有审计在运行则不再开始，返回那一次的开始时间。完成后用 GET 查看报告。逐用户检查积分流水（seq 连续、balance_after 为累计和且不为负）；每笔结算有购买流水、每笔购买流水有结算；订单状态与结算、退款、流水记录一致；重复支付与待人工处理事项；退款记录与退款流水一致。会扫描全部数据，耗时随数据量增长。',
      },
      response: { 202: AuditStartedBody, ...guarded },
    });
};
