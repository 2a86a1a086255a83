// PARAM_ERROR checks for the JSAPI prepay body (brief §1), answered in WeChat's detail shape.
export type ParamError = { readonly code: 'PARAM_ERROR'; readonly message: string; readonly detail: object };

const paramError = (field: string, value: unknown, issue: string): ParamError => ({
  code: 'PARAM_ERROR',
  message: `参数错误: ${issue}`,
  detail: { field, value, issue, location: 'body' },
});
const FOUR_BYTE_UTF8 = /[\u{10000}-\u{10FFFF}]/u;
export const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/;

export interface PrepayBody {
  readonly description: string;
  readonly outTradeNo: string;
  readonly timeExpire: string | null;
  readonly notifyUrl: string;
  readonly total: number;
  readonly openid: string;
  readonly attach: string | null;
}

export function validatePrepay(
  b: Record<string, unknown>,
  allowHttpNotify: boolean,
): PrepayBody | ParamError {
  const amount = (b.amount ?? {}) as Record<string, unknown>;
  const payer = (b.payer ?? {}) as Record<string, unknown>;
  const { description, out_trade_no, time_expire, notify_url, attach } = b;
  if (typeof description !== 'string' || description.length < 1 || description.length > 127)
    return paramError('/description', description, 'description 长度应为1-127');
  if (FOUR_BYTE_UTF8.test(description))
    return paramError('/description', description, '字符串中含有不支持的4字节UTF-8字符');
  if (typeof out_trade_no !== 'string' || !/^[A-Za-z0-9_\-|*]{6,32}$/.test(out_trade_no))
    return paramError('/out_trade_no', out_trade_no, 'out_trade_no 应为6-32位数字、字母或_-|*');
  if (
    time_expire !== undefined &&
    (typeof time_expire !== 'string' || !RFC3339.test(time_expire) || Number.isNaN(Date.parse(time_expire)))
  )
    return paramError('/time_expire', time_expire, 'time_expire 不是合法的RFC3339时间');
  const scheme = allowHttpNotify ? /^https?:\/\// : /^https:\/\//;
  if (
    typeof notify_url !== 'string' ||
    notify_url.length > 255 ||
    !scheme.test(notify_url) ||
    notify_url.includes('?')
  )
    return paramError('/notify_url', notify_url, 'notify_url 应为不带参数的https地址');
  if (!Number.isSafeInteger(amount.total) || (amount.total as number) < 1)
    return paramError('/amount/total', amount.total, 'amount.total 应为大于0的整数');
  if (amount.currency !== undefined && amount.currency !== 'CNY')
    return paramError('/amount/currency', amount.currency, '币种仅支持CNY');
  if (typeof payer.openid !== 'string' || payer.openid === '')
    return paramError('/payer/openid', payer.openid, '缺少openid');
  if (
    attach !== undefined &&
    (typeof attach !== 'string' || attach.length > 128 || FOUR_BYTE_UTF8.test(attach))
  )
    return paramError('/attach', attach, 'attach 长度不能超过128');
  return {
    description,
    outTradeNo: out_trade_no,
    timeExpire: (time_expire as string | undefined) ?? null,
    notifyUrl: notify_url,
    total: amount.total as number,
    openid: payer.openid,
    attach: (attach as string | undefined) ?? null,
  };
}
