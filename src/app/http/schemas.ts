import type { TLiteral, TUnion } from '@sinclair/typebox';
import { t } from 'elysia';

/**
 * Request and response models, with the seed document's examples. Body ids use `t.Number` with
 * `multipleOf: 1` because Elysia coerces strings into `t.Integer` bodies, and the contract is that
 * `"product_id": "1"` is a bad request.
 */
const MAX_ID = 2_147_483_647;
/**
 * A whole number in a path or a query string, in canonical decimal only, its range checked by the
 * pattern itself. Elysia's numeric coercion took anything `Number()` does (`0x2`, `1e3`, `+1`, ` 1`,
 * `1.`), so one order answered to many paths and `limit=0x2` was a limit. `x-integer` tells the
 * OpenAPI tidy step (openapi-tidy.ts) to describe it as the integer it is.
 */
const decimalParam = (o: {
  readonly pattern: string;
  readonly minimum: number;
  readonly maximum: number;
  readonly description: string;
  readonly title?: string;
}) =>
  t
    .Transform(
      t.String({
        pattern: o.pattern,
        maxLength: String(o.maximum).length,
        description: o.description,
        ...(o.title ? { title: o.title } : {}),
        'x-integer': { minimum: o.minimum, maximum: o.maximum },
      }),
    )
    .Decode((v) => Number(v))
    .Encode((v) => String(v));

/** 1 … 2147483647 (MAX_ID). */
export const IdParam = decimalParam({
  pattern:
    '^(?:[1-9][0-9]{0,8}|1[0-9]{9}|20[0-9]{8}|21[0-3][0-9]{7}|214[0-6][0-9]{6}|2147[0-3][0-9]{5}|21474[0-7][0-9]{4}|214748[0-2][0-9]{3}|2147483[0-5][0-9]{2}|21474836[0-3][0-9]|214748364[0-7])$',
  minimum: 1,
  maximum: MAX_ID,
  description: '整数ID（十进制，从 1 起）',
});
export const BodyId = t.Number({ multipleOf: 1, minimum: 1, maximum: MAX_ID, examples: [1] });

/**
 * One of a few strings. Not `t.UnionEnum`: that carries `default: values[0]`, which Elysia writes into
 * the request when the field is absent — an unfiltered order search became `status=pending`, and
 * `{"is_active": false}` demoted an admin to `user`. No request schema carries a `default` (a test
 * walks every route); handlers apply their own fallbacks where the caller gave nothing.
 */
export const oneOf = <const T extends string[]>(values: T): TUnion<{ [K in keyof T]: TLiteral<T[K]> }> =>
  t.Union(values.map((v) => t.Literal(v))) as unknown as TUnion<{ [K in keyof T]: TLiteral<T[K]> }>;

/** `oneOf` for a list known only as a domain type's values (e.g. every review reason). */
export const oneOfList = <T extends string>(values: readonly T[]): TUnion<[TLiteral<T>]> =>
  t.Union(values.map((v) => t.Literal(v))) as unknown as TUnion<[TLiteral<T>]>;

// `title`: the error message names the parameter from here (plugins.ts `validationDetail`).
export const Skip = decimalParam({
  pattern: '^(?:0|[1-9][0-9]{0,5}|1000000)$',
  minimum: 0,
  maximum: 1_000_000,
  title: 'skip',
  description: '分页起始位置（默认 0）',
});
export const Limit = decimalParam({
  pattern: '^(?:[1-9][0-9]?|100)$',
  minimum: 1,
  maximum: 100,
  title: 'limit',
  description: '每页数量（默认 20）',
});
export const PageQuery = t.Object({ skip: t.Optional(Skip), limit: t.Optional(Limit) });

// No example: one message shown under every status (a 401 "订单不存在") misled more than it helped.
export const ErrorBody = t.Object({ detail: t.String({ description: '中文说明' }) });

const Timestamp = t.Union([t.String({ examples: ['2023-07-01T12:00:00'] }), t.Null()]);
const NullableString = t.Union([t.String(), t.Null()]);

export const ProductBody = t.Object(
  {
    id: t.Integer(),
    name: t.String(),
    description: t.String(),
    credits: t.Integer(),
    price: t.Number({ description: '价格（元）' }),
    image_url: NullableString,
    is_active: t.Boolean(),
    sort_order: t.Integer(),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  {
    examples: [
      {
        id: 1,
        name: '100积分套餐',
        description: '购买100积分',
        credits: 100,
        price: 9.9,
        image_url: 'https://example.com/images/credits-100.png',
        is_active: true,
        sort_order: 1,
        created_at: '2023-07-01T12:00:00',
        updated_at: '2023-07-01T12:00:00',
      },
    ],
  },
);

export const OrderStatusValue = oneOf(['pending', 'paid', 'completed', 'cancelled', 'refunded']);
/** Key order matters: Elysia emits fields in schema order, and these follow the seed document. */
const paymentFields = {
  status: OrderStatusValue,
  payment_id: NullableString,
  payment_time: Timestamp,
  refund_time: Timestamp,
  remark: NullableString,
  created_at: Timestamp,
  updated_at: Timestamp,
};
const orderExample = {
  id: 100,
  order_no: 'P202307011200001234abcd',
  amount: 9.9,
  credits: 100,
  status: 'completed',
  payment_id: '4200001234202307011234567890',
  payment_time: '2023-07-01T12:05:00',
  refund_time: null,
  remark: null,
  created_at: '2023-07-01T12:00:00',
  updated_at: '2023-07-01T12:05:30',
};
export const OrderBody = t.Object(
  {
    id: t.Integer(),
    order_no: t.String(),
    user_id: t.Integer(),
    product_id: t.Integer(),
    amount: t.Number({ description: '金额（元）' }),
    credits: t.Integer(),
    ...paymentFields,
  },
  { examples: [{ ...orderExample, user_id: 1, product_id: 1 }] },
);
export const OrderDetailBody = t.Object(
  {
    id: t.Integer(),
    order_no: t.String(),
    amount: t.Number({ description: '金额（元）' }),
    credits: t.Integer(),
    ...paymentFields,
    product_name: t.String(),
    product_description: t.String(),
    product_image_url: NullableString,
  },
  {
    examples: [
      {
        ...orderExample,
        product_name: '100积分套餐',
        product_description: '购买100积分',
        product_image_url: 'https://example.com/images/credits-100.png',
      },
    ],
  },
);

export const CreateOrderRequest = t.Object(
  { product_id: BodyId },
  { additionalProperties: false, examples: [{ product_id: 1 }] },
);
export const CreateOrderResponse = t.Object(
  {
    order_id: t.Integer(),
    order_no: t.String(),
    amount: t.Number(),
    credits: t.Integer(),
    message: t.String(),
  },
  {
    examples: [
      {
        order_id: 100,
        order_no: 'P202307011200001234abcd',
        amount: 9.9,
        credits: 100,
        message: '订单创建成功',
      },
    ],
  },
);

export const PayResponse = t.Object(
  {
    payment_data: t.Object({
      appId: t.String(),
      timeStamp: t.String(),
      nonceStr: t.String(),
      packageValue: t.String(),
      signType: t.Literal('RSA'),
      paySign: t.String(),
      outTradeNo: t.String(),
    }),
    message: t.String(),
  },
  {
    examples: [
      {
        payment_data: {
          appId: 'wx123456789',
          timeStamp: '1627436982',
          nonceStr: 'abcdefg12345',
          packageValue: 'prepay_id=wx12345678901234567890',
          signType: 'RSA',
          paySign: 'abcdefghijklmnopqrstuvwxyz123456789',
          outTradeNo: 'P202307011200001234abcd',
        },
        message: '创建支付成功',
      },
    ],
  },
);

const EXAMPLE_SIGN_DATA =
  '{"offerId":"1450000000","buyQuantity":1,"env":1,"currencyType":"CNY","productId":"credits_100","goodsPrice":990,"outTradeNo":"P20230701120000abcd1234","attach":"order:12"}';

/** PAYMENT_PROVIDER=xpay: the arguments of `wx.requestVirtualPayment` (小程序虚拟支付, 道具直购). */
export const VirtualPayResponse = t.Object(
  {
    payment_data: t.Object({
      mode: t.Literal('short_series_goods', { description: '道具直购' }),
      signData: t.String({
        description:
          '原样传给 wx.requestVirtualPayment 的 JSON 字符串（不可重新序列化）：offerId、buyQuantity、env、currencyType、productId、goodsPrice（分）、outTradeNo、attach',
      }),
      paySig: t.String({
        description: 'HMAC-SHA256(AppKey[env], "requestVirtualPayment&" + signData)，小写十六进制',
      }),
      signature: t.String({ description: 'HMAC-SHA256(session_key, signData)，小写十六进制' }),
      outTradeNo: t.String(),
    }),
    client_call: t.Literal('wx.requestVirtualPayment', { description: '小程序应调用的接口' }),
    message: t.String(),
  },
  {
    examples: [
      {
        payment_data: {
          mode: 'short_series_goods',
          signData: EXAMPLE_SIGN_DATA,
          paySig: 'c7af3d6281e8a1152250b461620997b8593d1b5fc82487c9979a267a657a5770',
          signature: '45452c7526451610cbc261fe44ff7d711bbe3a09c2ef8ef6390cda78fbabaa42',
          outTradeNo: 'P20230701120000abcd1234',
        },
        client_call: 'wx.requestVirtualPayment',
        message: '创建支付成功',
      },
    ],
  },
);

export const PaymentStatusResponse = t.Object(
  { order_id: t.Integer(), status: t.String(), paid: t.Boolean(), message: t.String() },
  { examples: [{ order_id: 100, status: 'completed', paid: true, message: '支付成功' }] },
);

export const CallbackRequest = t.Object(
  { order_no: t.String(), payment_id: t.String(), status: t.String(), amount: t.Number() },
  {
    examples: [
      {
        order_no: 'P202307011200001234abcd',
        payment_id: '4200001234202307011234567890',
        status: 'SUCCESS',
        amount: 9.9,
      },
    ],
  },
);
export const MessageBody = t.Object({ message: t.String() }, { examples: [{ message: '处理支付回调成功' }] });

export const LoginRequest = t.Object(
  {
    code: t.String({ minLength: 1, maxLength: 128, description: 'wx.login() 返回的 code' }),
    refresh: t.Optional(
      t.Boolean({ description: 'true：返回短时 access_token 与 refresh_token（不传则为原接口的 7 天令牌）' }),
    ),
  },
  { examples: [{ code: 'alice' }] },
);
export const UserBody = t.Object({
  id: t.Integer(),
  openid: t.String(),
  nickname: NullableString,
  avatar_url: NullableString,
  role: oneOf(['user', 'admin']),
  is_active: t.Boolean(),
  credits: t.Optional(t.Integer({ description: '积分余额' })),
  created_at: Timestamp,
});
const tokenFields = {
  access_token: t.String(),
  token_type: t.Literal('bearer'),
  expires_in: t.Integer({ description: 'access_token 有效秒数' }),
  refresh_token: t.Optional(t.String({ description: '仅在登录时传 refresh: true 时返回' })),
  refresh_expires_in: t.Optional(t.Integer({ description: '会话（refresh_token）剩余有效秒数' })),
};
export const LoginResponse = t.Object({ ...tokenFields, user: UserBody });
export const RefreshRequest = t.Object(
  { refresh_token: t.String({ minLength: 1, maxLength: 4096 }) },
  { additionalProperties: false },
);
export const RefreshResponse = t.Object(tokenFields);

export const LedgerEntryBody = t.Object(
  {
    id: t.Integer(),
    amount: t.Integer({ description: '积分变动（正为增加，负为扣减）' }),
    balance_after: t.Integer(),
    type: oneOf(['purchase', 'refund', 'adjust', 'consume']),
    description: t.String(),
    related_order_id: t.Union([t.Integer(), t.Null()]),
    created_at: Timestamp,
  },
  {
    examples: [
      {
        id: 1,
        amount: 100,
        balance_after: 100,
        type: 'purchase',
        description: '购买100积分',
        related_order_id: 100,
        created_at: '2023-07-01T12:05:30',
      },
    ],
  },
);

/** A client-chosen key that makes a write safe to repeat; scoped per user by the use cases. */
export const IdempotencyKey = t.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9_.:-]+$',
  description: '幂等键：重复提交返回首次结果',
});

export const ConsumeRequest = t.Object(
  {
    amount: t.Number({
      multipleOf: 1,
      minimum: 1,
      maximum: 1_000_000_000,
      description: '扣减的积分（正整数）',
    }),
    description: t.String({ minLength: 1, maxLength: 100 }),
    idempotency_key: IdempotencyKey,
  },
  {
    additionalProperties: false,
    examples: [{ amount: 10, description: '兑换会员一天', idempotency_key: 'redeem-20230701-0001' }],
  },
);
