import { Elysia, status, t } from 'elysia';
import { ORDER_NO_PATTERN } from '../../../../domain/order';
import { formatLocal, localDay } from '../../../../domain/time';
import type { TimelineItem } from '../../../../domain/timeline';
import {
  MAX_TIMELINE_LIMIT,
  orderTimeline,
  unmatchedPaymentEvents,
} from '../../../../domain/usecases/timeline';
import { authPlugin } from '../../auth';
import type { AppDeps } from '../../context';
import { type Limiter, rateLimits } from '../../limits';
import { problem } from '../../plugins';
import { ErrorBody } from '../../schemas';

const guarded = { 401: ErrorBody, 403: ErrorBody, 429: ErrorBody };

const TimelineQuery = t.Object({
  cursor: t.Optional(
    t.String({ minLength: 1, maxLength: 400, description: '上一页返回的 next_cursor：取更早的事件' }),
  ),
  limit: t.Optional(
    t.Integer({ minimum: 1, maximum: MAX_TIMELINE_LIMIT, description: '每页条数，缺省 200' }),
  ),
});

const example = {
  order_id: 12,
  order_no: 'P20231127143001a1b2c3d4',
  status: 'completed',
  items: [
    {
      at: '2023-11-27T14:30:01.120',
      kind: 'order_created',
      source: 'orders',
      summary: '创建订单 P20231127143001a1b2c3d4：100积分套餐，¥9.9，100积分',
      detail: { order_id: 12, amount_fen: 990, credits: 100 },
    },
    {
      at: '2023-11-27T14:30:02.410',
      kind: 'prepay',
      source: 'payment_events',
      summary: '发起预支付：成功（84 ms）',
      detail: { outcome: 'ok', answer: { paySign: '[REDACTED]', packageValue: 'prepay_id=wx27…' } },
    },
    {
      at: '2023-11-27T14:31:10.002',
      kind: 'callback',
      source: 'payment_events',
      summary: '收到支付网关回调：已拒绝——签名校验失败（未通过验签，未做任何改动）',
      detail: { verification: 'failed', headers: { 'x-gateway-signature': '[REDACTED]' } },
    },
  ],
  next_cursor: null,
};

const ItemBody = t.Object({
  at: t.String({ description: '服务时区的本地时间，精确到毫秒' }),
  kind: t.String({ description: 'order_created、prepay、callback、settlement、ledger_entry……' }),
  source: t.String({ description: '出自哪类记录（orders、payment_events、ledger……）' }),
  summary: t.String({ description: '给运营看的一句话' }),
  detail: t.Record(t.String(), t.Unknown(), { description: '记录内容，密钥与签名已脱敏' }),
});
const NextCursor = t.Union([t.String(), t.Null()], { description: '还有更早的事件时非空' });

const TimelineBody = t.Object(
  {
    order_id: t.Integer(),
    order_no: t.String(),
    status: t.String(),
    items: t.Array(ItemBody),
    next_cursor: NextCursor,
  },
  { examples: [example] },
);

const UnmatchedBody = t.Object(
  { date: t.String(), items: t.Array(ItemBody), next_cursor: NextCursor },
  { examples: [{ date: '2023-11-27', items: [example.items[2]], next_cursor: null }] },
);

const UnmatchedQuery = t.Object({
  ...TimelineQuery.properties,
  date: t.Optional(
    t.String({
      maxLength: 10,
      pattern: '^\\d{4}-\\d{2}-\\d{2}$',
      description: '服务时区的日期 YYYY-MM-DD；缺省为今天',
    }),
  ),
});

/** The order reference in the path: a numeric id or an order number. */
const OrderRef = t.String({
  minLength: 1,
  maxLength: 32,
  pattern: '^(?:[1-9][0-9]{0,15}|P[0-9]{14}[0-9a-z]{8})$',
  description: '订单 ID 或订单号',
});

export const adminTimelineRoutes = (deps: AppDeps, limits: Limiter) => {
  const timeline = orderTimeline(deps, deps.timelineSources);
  const unmatched = unmatchedPaymentEvents(deps);
  const tz = deps.settings.timeZone;
  const item = (i: TimelineItem) => ({
    at: `${formatLocal(i.at, tz)}.${String(i.at.getTime() % 1000).padStart(3, '0')}`,
    kind: i.kind,
    source: i.source,
    summary: i.summary,
    detail: i.detail as Record<string, unknown>,
  });
  const page = (query: { cursor?: string; limit?: number }) => ({
    ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
    ...(query.limit !== undefined ? { limit: query.limit } : {}),
  });
  const badCursor = () => status(400, { detail: '请求参数错误: cursor 无效' });
  return new Elysia({ prefix: '/api/admin', detail: { tags: ['管理'] } })
    .use(authPlugin(deps))
    .use(rateLimits(limits))
    .get(
      '/orders/:order_id/timeline',
      async ({ params, query }) => {
        const ref = ORDER_NO_PATTERN.test(params.order_id) ? params.order_id : Number(params.order_id);
        const found = await timeline(ref, page(query));
        if (!found.ok) return found.error.kind === 'invalid_cursor' ? badCursor() : problem(found.error);
        const { order, items, nextCursor } = found.value;
        return {
          order_id: order.id,
          order_no: order.orderNo,
          status: order.status,
          items: items.map(item),
          next_cursor: nextCursor,
        };
      },
      {
        admin: true,
        limit: 'admin',
        params: t.Object({ order_id: OrderRef }),
        query: TimelineQuery,
        detail: {
          summary: '订单时间线',
          description:
            '订单的完整支付经过：创建、预支付请求与应答、每次向支付方查询/关单/退款及其应答、收到的每个回调（含原文、验签结果与拒绝原因）、' +
            '对账巡检的决定、结算、积分流水、退款各步、人工复核与运营操作。按时间排序（早→晚），每页为最新的 limit 条；' +
            'next_cursor 非空时以 ?cursor= 取更早的一页。密钥、签名、openid 已脱敏，回调原文有长度上限。',
        },
        response: { 200: TimelineBody, 400: ErrorBody, ...guarded, 404: ErrorBody },
      },
    )
    .get(
      '/payment-events/unmatched',
      async ({ query }) => {
        const date = query.date ?? localDay(deps.clock.now(), tz);
        const found = await unmatched(date, page(query));
        if (!found.ok) return badCursor();
        return { date, items: found.value.items.map(item), next_cursor: found.value.nextCursor };
      },
      {
        admin: true,
        limit: 'admin',
        query: UnmatchedQuery,
        detail: {
          summary: '无法归属订单的支付事件',
          description:
            '某天收到的、无法对应到已有订单的回调与通知（伪造或验签失败且所称订单不存在、订单号未知等），含原文、验签结果与拒绝原因。' +
            '分页方式同订单时间线。',
        },
        response: { 200: UnmatchedBody, 400: ErrorBody, ...guarded },
      },
    );
};
