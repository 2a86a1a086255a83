import { Elysia } from 'elysia';
import { auditAlert } from '../../../../domain/alert-kinds';
import { auditStore } from '../../../../domain/usecases/audit';
import { AuditReportBody } from '../../admin-schemas';
import { authPlugin } from '../../auth';
import type { AppDeps } from '../../context';
import { type Limiter, rateLimits } from '../../limits';
import { ErrorBody } from '../../schemas';

/** The integrity audit on demand (also `bun run audit`). It scans the whole store: not for polling. */
export const adminAuditRoutes = (deps: AppDeps, limits: Limiter) =>
  new Elysia({ prefix: '/api/admin/audit', detail: { tags: ['管理'] } })
    .use(authPlugin(deps))
    .use(rateLimits(limits))
    .get(
      '/',
      async () => {
        const report = await auditStore(deps)({ maxFindings: 200 });
        if (!report.ok) {
          deps.log('audit.violations', { violations: report.violations });
          deps.alerts?.raise(auditAlert(report.violations));
        }
        return report;
      },
      {
        admin: true,
        limit: 'admin',
        detail: {
          summary: '数据一致性审计',
          description:
            '逐用户检查积分流水（seq 连续、balance_after 为累计和且不为负）；每笔结算有购买流水、每笔购买流水有结算；订单状态与结算、退款、流水记录一致；重复支付与待人工处理事项；退款记录与退款流水一致。会扫描全部数据，耗时随数据量增长。',
        },
        response: { 200: AuditReportBody, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody },
      },
    );
