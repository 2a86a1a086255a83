import { Elysia, t } from 'elysia';
import { ALERT_KINDS, type StoredAlert } from '../../../../domain/alert';
import { formatLocal } from '../../../../domain/time';
import { authPlugin } from '../../auth';
import type { AppDeps } from '../../context';
import { type Limiter, rateLimits } from '../../limits';
import { ErrorBody, Limit, oneOf, oneOfList, Skip } from '../../schemas';

const AlertState = oneOf(['pending', 'sent', 'suppressed', 'summarized', 'failed', 'logged']);

const AlertQuery = t.Object({
  state: t.Optional(AlertState),
  skip: t.Optional(Skip),
  limit: t.Optional(Limit),
});

const AlertBody = t.Object(
  {
    id: t.String({ description: '<kind>:<key>:<小时序号>，同一小时内同一事项只记录一次' }),
    kind: oneOfList(ALERT_KINDS),
    key: t.String(),
    severity: oneOf(['critical', 'warning']),
    title: t.String(),
    text: t.String(),
    facts: t.Record(t.String(), t.Union([t.String(), t.Number(), t.Boolean(), t.Null()])),
    state: AlertState,
    attempts: t.Integer({ description: '已尝试发送的次数' }),
    raised_at: t.Union([t.String(), t.Null()]),
    sent_at: t.Union([t.String(), t.Null()]),
    next_attempt_at: t.Union([t.String(), t.Null()]),
    last_error: t.Union([t.String(), t.Null()]),
    summary_id: t.Union([t.String(), t.Null()], { description: '被合并进的汇总告警' }),
  },
  {
    examples: [
      {
        id: 'second_payment:100:4200000000000000000000000002:470000',
        kind: 'second_payment',
        key: '100:4200000000000000000000000002',
        severity: 'critical',
        title: '订单 P202307011200001234abcd 重复支付',
        text: '订单 100 已按交易 4200…01 结算，又收到交易 4200…02 的支付（9.9 元）。……',
        facts: { order_id: 100, amount_fen: 990 },
        state: 'sent',
        attempts: 1,
        raised_at: '2023-07-01T12:01:00',
        sent_at: '2023-07-01T12:01:01',
        next_attempt_at: '2023-07-01T12:01:00',
        last_error: null,
        summary_id: null,
      },
    ],
  },
);

/** What was raised for a human and whether it reached the webhook (nothing is dropped silently). */
export const adminAlertRoutes = (deps: AppDeps, limits: Limiter) => {
  const ts = (d: Date | null) => formatLocal(d, deps.settings.timeZone);
  const present = (a: StoredAlert) => ({
    id: a.id,
    kind: a.kind,
    key: a.key,
    severity: a.severity,
    title: a.title,
    text: a.text,
    facts: a.facts,
    state: a.state,
    attempts: a.attempts,
    raised_at: ts(a.raisedAt),
    sent_at: ts(a.sentAt),
    next_attempt_at: ts(a.nextAttemptAt),
    last_error: a.lastError,
    summary_id: a.summaryId,
  });
  return new Elysia({ prefix: '/api/admin/alerts', detail: { tags: ['管理'] } })
    .use(authPlugin(deps))
    .use(rateLimits(limits))
    .get(
      '/',
      async ({ query }) => {
        if (!deps.alertOutbox) return [];
        const page = { skip: query.skip ?? 0, limit: query.limit ?? 20 };
        return (await deps.alertOutbox.list(query.state ? { state: query.state } : {}, page)).map(present);
      },
      {
        admin: true,
        limit: 'admin',
        query: AlertQuery,
        detail: {
          summary: '告警记录',
          description:
            '需要人工处理的告警（重复支付、交易号被用于第二个订单、审计问题、对账差异、已支付未完成、待处理事项增加），最新在前；state：pending 待发送、sent 已发送、suppressed 因频率限制暂缓、summarized 已合并进汇总、failed 重试一天后放弃、logged 未配置 webhook 仅记录。',
        },
        response: { 200: t.Array(AlertBody), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody },
      },
    );
};
