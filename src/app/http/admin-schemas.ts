import { t } from 'elysia';
import { AUDIT_TRIGGERS } from '../../domain/audit';
import { REVIEW_REASONS } from '../../domain/review';
import {
  IdempotencyKey,
  IdParam,
  Limit,
  OrderStatusValue,
  oneOf,
  oneOfList,
  ProductBody,
  Skip,
  UserBody,
} from './schemas';

/**
 * Admin request and response models. Bodies reject unknown fields; numbers that must be integers use
 * `t.Number({ multipleOf: 1 })` so a string such as `"100"` is a 400, as on the public routes.
 */
const Credits = t.Number({ multipleOf: 1, minimum: 1, maximum: 100_000_000, description: '积分（正整数）' });
// The 2-decimal rule is checked by yuanToFen in the route (floats make `multipleOf: 0.01` unreliable).
const Price = t.Number({ exclusiveMinimum: 0, maximum: 1_000_000, description: '价格（元，最多两位小数）' });
const Name = t.String({ minLength: 1, maxLength: 100 });
const Description = t.String({ maxLength: 500 });
const ImageUrl = t.Union([t.String({ maxLength: 500, pattern: '^https?://' }), t.Null()]);
// xpay 道具 id rules (start_upload_goods): (0,64] chars of [A-Za-z0-9_-]; null removes it.
const XpayProductId = t.Union(
  [t.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }), t.Null()],
  {
    description:
      '小程序虚拟支付道具 productId（1–64 位字母、数字、_、-），须与 MP 后台已发布的道具一致；null 表示不通过虚拟支付出售',
  },
);
const SortOrder = t.Number({ multipleOf: 1, minimum: -1_000_000, maximum: 1_000_000 });
const Version = t.Number({
  multipleOf: 1,
  minimum: 1,
  maximum: 1_000_000_000,
  description: '修改所基于的版本；与当前版本不同则 409，不修改任何内容（省略则在当前版本上修改）',
});
const ReadVersion = t.Integer({ description: '版本：创建时为 1，每次修改加 1' });

/** The admin view adds `version` (the public catalog keeps exactly the seed's fields). */
export const AdminProductBody = t.Object({
  ...ProductBody.properties,
  xpay_product_id: t.Union([t.String(), t.Null()], { description: '小程序虚拟支付道具 productId' }),
  version: ReadVersion,
});
export const AdminUserBody = t.Object({ ...UserBody.properties, version: ReadVersion });

export const CreateProductRequest = t.Object(
  {
    name: Name,
    description: t.Optional(Description),
    credits: Credits,
    price: Price,
    image_url: t.Optional(ImageUrl),
    is_active: t.Optional(t.Boolean()),
    sort_order: t.Optional(SortOrder),
    xpay_product_id: t.Optional(XpayProductId),
  },
  {
    additionalProperties: false,
    examples: [
      {
        name: '1000积分套餐',
        description: '购买1000积分',
        credits: 1000,
        price: 69.9,
        sort_order: 3,
        xpay_product_id: 'credits_1000',
      },
    ],
  },
);

export const UpdateProductRequest = t.Object(
  {
    name: t.Optional(Name),
    description: t.Optional(Description),
    credits: t.Optional(Credits),
    price: t.Optional(Price),
    image_url: t.Optional(ImageUrl),
    is_active: t.Optional(t.Boolean()),
    sort_order: t.Optional(SortOrder),
    xpay_product_id: t.Optional(XpayProductId),
    version: t.Optional(Version),
  },
  { additionalProperties: false, minProperties: 1, examples: [{ price: 8.8, version: 3 }] },
);

export const UpdateUserRequest = t.Object(
  {
    is_active: t.Optional(t.Boolean()),
    role: t.Optional(oneOf(['user', 'admin'])),
    version: t.Optional(Version),
  },
  { additionalProperties: false, minProperties: 1, examples: [{ is_active: false, version: 2 }] },
);

export const AdjustCreditsRequest = t.Object(
  {
    amount: t.Number({
      multipleOf: 1,
      minimum: -100_000_000,
      maximum: 100_000_000,
      description: '积分变动（非零整数，正为增加，负为扣减）',
    }),
    reason: t.String({ minLength: 1, maxLength: 200 }),
    idempotency_key: IdempotencyKey,
  },
  {
    additionalProperties: false,
    examples: [{ amount: 50, reason: '客服补偿', idempotency_key: 'ticket-20230701-42' }],
  },
);

export const AdminOrderQuery = t.Object({
  status: t.Optional(OrderStatusValue),
  user_id: t.Optional(IdParam),
  order_no: t.Optional(t.String({ minLength: 1, maxLength: 32, pattern: '^[A-Za-z0-9_-]+$' })),
  from: t.Optional(
    t.String({
      maxLength: 40,
      description: '创建时间下限（含），YYYY-MM-DD 或 ISO 8601',
      examples: ['2023-07-01'],
    }),
  ),
  to: t.Optional(
    t.String({
      maxLength: 40,
      description: '创建时间上限；YYYY-MM-DD 含当天，ISO 8601 不含该时刻',
      examples: ['2023-07-31'],
    }),
  ),
  skip: t.Optional(Skip),
  limit: t.Optional(Limit),
});

export const ReviewBody = t.Object(
  {
    id: t.String({ description: '<订单ID>:<原因>' }),
    order_id: t.Integer(),
    order_no: t.String(),
    reason: oneOfList(REVIEW_REASONS),
    detail: t.String(),
    created_at: t.Union([t.String(), t.Null()]),
    resolved_at: t.Union([t.String(), t.Null()]),
    resolution: t.Union([t.String(), t.Null()]),
  },
  {
    examples: [
      {
        id: '100:unresolved',
        order_id: 100,
        order_no: 'P202307011200001234abcd',
        reason: 'unresolved',
        detail: '最后一次：provider_unavailable',
        created_at: '2023-07-02T12:30:00',
        resolved_at: null,
        resolution: null,
      },
    ],
  },
);

const AUDIT_EXAMPLE = {
  id: 'm3k2x1ab-000001x7f3k9q2z',
  trigger: 'api',
  started_at: '2023-07-02T04:00:00',
  finished_at: '2023-07-02T04:10:24',
  ok: false,
  scanned: { users: 2, entries: 5, orders: 3, reviews: 1 },
  violations: { review_queue: 1 },
  findings: [
    {
      check: 'review_queue',
      subject: 'review 100:second_payment',
      message: 'open review second_payment: 已按交易 4200…01 结算，又收到交易 4200…02 的支付',
    },
  ],
};

/** One finished, stored run of the integrity audit. */
export const AuditReportBody = t.Object(
  {
    id: t.String({ description: '本次审计的编号' }),
    trigger: oneOfList(AUDIT_TRIGGERS),
    started_at: t.String({ description: '开始时间' }),
    finished_at: t.String({ description: '结束时间' }),
    ok: t.Boolean({ description: '所有不变量均成立' }),
    scanned: t.Object({
      users: t.Integer(),
      entries: t.Integer(),
      orders: t.Integer(),
      reviews: t.Integer(),
    }),
    violations: t.Record(t.String(), t.Integer(), { description: '每条规则的违反次数' }),
    findings: t.Array(t.Object({ check: t.String(), subject: t.String(), message: t.String() }), {
      description: '前若干条违反的详情',
    }),
  },
  { examples: [AUDIT_EXAMPLE] },
);

export const AuditStatusBody = t.Object(
  {
    running: t.Boolean({ description: '本实例正在运行一次审计' }),
    running_since: t.Union([t.String(), t.Null()], {
      description: '正在运行的审计的开始时间；未运行为 null',
    }),
    report: t.Union([AuditReportBody, t.Null()], { description: '最近完成的一次审计；从未运行为 null' }),
    last_failure: t.Union(
      [t.Object({ started_at: t.String(), failed_at: t.String(), error: t.String() }), t.Null()],
      {
        description:
          '本实例最近一次手动开始的审计未能完成时：开始、失败时间与原因（之后有一次完成即为 null）',
      },
    ),
  },
  { examples: [{ running: false, running_since: null, report: AUDIT_EXAMPLE, last_failure: null }] },
);

export const AuditStartedBody = t.Object(
  {
    running: t.Literal(true),
    started_at: t.String({ description: '正在运行的审计的开始时间（已在运行则为那一次的）' }),
  },
  { examples: [{ running: true, started_at: '2023-07-02T04:00:00' }] },
);

export const ReviewQuery = t.Object({
  open: t.Optional(oneOf(['true', 'false'])),
  skip: t.Optional(Skip),
  limit: t.Optional(Limit),
});

export const ResolveReviewRequest = t.Object(
  { note: t.String({ minLength: 1, maxLength: 200, description: '处理说明' }) },
  { additionalProperties: false, examples: [{ note: '已与用户核实并人工退款' }] },
);

export const RefundRequest = t.Object(
  {
    reason: t.Optional(t.String({ maxLength: 80 })),
    force: t.Optional(t.Boolean({ description: '用户积分不足时仍退款，只扣除剩余积分' })),
    retry_of: t.Optional(
      t.String({
        minLength: 1,
        maxLength: 64,
        pattern: '^[A-Za-z0-9_|*@-]+$',
        description: '重新发起：上一次已关闭/异常/失败的退款单号（out_refund_no）；将使用新的退款单号',
      }),
    ),
  },
  { additionalProperties: false, examples: [{ reason: '用户申请退款' }] },
);

export const REFUND_STATES = [
  'requested',
  'processing',
  'succeeded',
  'closed',
  'abnormal',
  'failed',
] as const;

export const RefundResponse = t.Object(
  {
    order_id: t.Integer(),
    order_no: t.String(),
    status: t.UnionEnum(['completed', 'refunded'], {
      description: '订单状态：退款成功前保持 completed，成功后为 refunded',
    }),
    refund_status: t.UnionEnum(REFUND_STATES, {
      description:
        'requested 已登记（积分已扣回）→ processing 支付服务已受理 → succeeded 成功 | closed 关闭 | abnormal 异常 | failed 被拒绝；后三者积分已退回',
    }),
    attempt: t.Integer({ description: '第几次退款尝试（重新发起后递增）' }),
    out_refund_no: t.String(),
    refund_id: t.Union([t.String(), t.Null()]),
    refund_amount: t.Number({ description: '退款金额（元）' }),
    credits_deducted: t.Integer({ description: '实际扣回的积分' }),
    credits_shortfall: t.Integer({ description: '应扣未扣的积分（用户已使用，仅 force）' }),
    credits_returned: t.Integer({ description: '退款未成功而退回用户的积分' }),
    reason: t.String(),
    refund_time: t.Union([t.String(), t.Null()]),
    message: t.String(),
  },
  {
    examples: [
      {
        order_id: 100,
        order_no: 'P202307011200001234abcd',
        status: 'completed',
        refund_status: 'processing',
        attempt: 1,
        out_refund_no: 'R20230701120000A1b2C3d4',
        refund_id: '50300000382019052709732678859',
        refund_amount: 9.9,
        credits_deducted: 100,
        credits_shortfall: 0,
        credits_returned: 0,
        reason: '用户申请退款',
        refund_time: null,
        message: '退款处理中',
      },
    ],
  },
);
