import { Elysia, t } from 'elysia';
import { isStatementDate, type StatementReport, statementDay } from '../../../../domain/statement';
import { formatLocal } from '../../../../domain/time';
import { reconcileStatement } from '../../../../domain/usecases/statement';
import { authPlugin } from '../../auth';
import type { AppDeps } from '../../context';
import { type Limiter, rateLimits } from '../../limits';
import { problem } from '../../plugins';
import { ErrorBody, Limit, Skip } from '../../schemas';

const guarded = { 401: ErrorBody, 403: ErrorBody, 429: ErrorBody };
const DateParam = t.Object({
  date: t.String({ maxLength: 10, pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: '对账日期（北京时间）' }),
});

const ReportBody = t.Object({
  date: t.String(),
  created_at: t.String(),
  trades: t.Integer(),
  refunds: t.Integer(),
  matched: t.Integer(),
  differences: t.Array(t.Record(t.String(), t.Union([t.String(), t.Number(), t.Boolean()]))),
  provisional: t.Boolean({ description: 'true：今日（北京时间）尚未结束，临时结果，未保存' }),
});

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Field by field: differences carry only order/refund numbers, amounts and flags. */
const presenter =
  (timeZone: string) =>
  (r: StatementReport, provisional = false) => ({
    date: r.date,
    created_at: formatLocal(r.createdAt, timeZone) as string,
    trades: r.trades,
    refunds: r.refunds,
    matched: r.matched,
    differences: r.differences.map((d) =>
      Object.fromEntries(Object.entries(d).map(([k, v]) => [snake(k), v as string | number | boolean])),
    ),
    provisional,
  });

/** Daily statement reconciliation reports (one per date) and a manual run for a date. */
export const adminStatementRoutes = (deps: AppDeps, limits: Limiter) => {
  const present = presenter(deps.settings.timeZone);
  return new Elysia({ prefix: '/api/admin/statements', detail: { tags: ['管理'] } })
    .use(authPlugin(deps))
    .use(rateLimits(limits))
    .get(
      '/',
      async ({ query, status }) => {
        if (!deps.statementReports) return status(404, { detail: '未启用对账' });
        const page = { skip: query.skip ?? 0, limit: query.limit ?? 20 };
        return (await deps.statementReports.list(page)).map((r) => present(r));
      },
      {
        admin: true,
        limit: 'admin',
        query: t.Object({ skip: t.Optional(Skip), limit: t.Optional(Limit) }),
        detail: { summary: '对账报告列表', description: '每日与支付服务对账单的核对结果，最新日期在前。' },
        response: { 200: t.Array(ReportBody), 400: ErrorBody, ...guarded, 404: ErrorBody },
      },
    )
    .get(
      '/:date',
      async ({ params, status }) => {
        const report = await deps.statementReports?.find(params.date);
        if (report) return present(report);
        const detail =
          params.date === statementDay(deps.clock.now())
            ? '今日的对账报告在次日生成（今日可运行临时核对）'
            : '该日期尚无对账报告';
        return status(404, { detail });
      },
      {
        admin: true,
        limit: 'admin',
        params: DateParam,
        detail: { summary: '某日对账报告' },
        response: { 200: ReportBody, 400: ErrorBody, ...guarded, 404: ErrorBody },
      },
    )
    .post(
      '/:date/run',
      async ({ params, status }) => {
        if (!isStatementDate(params.date)) return status(400, { detail: '请求参数错误: date 不是有效日期' });
        const { statements, statementReports } = deps;
        if (!statements || !statementReports) return status(404, { detail: '当前支付方式不支持对账单' });
        const run = await reconcileStatement({ ...deps, statements, statementReports })(params.date);
        return run.ok ? present(run.value.report, run.value.provisional) : problem(run.error);
      },
      {
        admin: true,
        limit: 'admin',
        params: DateParam,
        detail: {
          summary: '立即对账某日',
          description:
            '下载该日对账单并核对（已有报告则直接返回，不再执行）。对方已支付而本地未结算的订单按正常结算流程补发积分。今日（北京时间）尚未结束：返回 provisional=true 的临时结果，不保存，可重复执行，次日的定时对账生成正式报告。',
        },
        response: { 200: ReportBody, 400: ErrorBody, ...guarded, 404: ErrorBody, 502: ErrorBody },
      },
    );
};
