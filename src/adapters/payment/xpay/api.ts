// The signed xpay server-API call: serialise once, sign those exact bytes, send those bytes
// (platform brief §1.6: "post_body must be the exact bytes sent").
import type { ProviderError } from '../../../domain/payment';
import { err, ok, type Result } from '../../../domain/result';
import type { WechatApi } from '../../wechat/api';
import type { XpayConfig } from './config';
import { apiPaySig } from './sign';

/**
 * The WeChat server-API transport (adapters/wechat/api.ts): adds the shared access_token, sends the
 * body byte for byte, retries once on an invalid token.
 */
export type WechatPost = WechatApi;

/** errcodes whose request may succeed later, unchanged (brief §1.7): -1, bill not ready, refund busy, rate limit, left_fee moved. */
const RETRYABLE = new Set([-1, 268490011, 268490014, 268490015, 268490016]);
/** "Duplicate operation; the previous one succeeded". */
export const ALREADY_DONE = 268490004;
/** "数据不存在" (request field error): for query_order, no such order. */
export const NO_SUCH_DATA = 268490002;

export type XpayAnswer = Result<Readonly<Record<string, unknown>>, ProviderError & { errcode?: number }>;

export function xpayCaller(config: XpayConfig, api: WechatPost) {
  return async (name: string, payload: Record<string, unknown>): Promise<XpayAnswer> => {
    const uri = `/xpay/${name}`;
    const body = JSON.stringify(payload);
    const r = await api.post(uri, body, { pay_sig: apiPaySig(config.appKey, uri, body) });
    if (r.kind === 'ok') return ok(r.body);
    if (r.kind === 'unknown') return err({ kind: 'provider_unavailable', message: `${name}: ${r.detail}` });
    const message = `${name}: errcode ${r.errcode} ${r.errmsg}`.trim();
    return RETRYABLE.has(r.errcode)
      ? err({ kind: 'provider_unavailable', message, errcode: r.errcode })
      : err({ kind: 'provider_rejected', message, code: String(r.errcode), errcode: r.errcode });
  };
}
