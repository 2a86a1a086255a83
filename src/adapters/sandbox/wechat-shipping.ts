// `upload_shipping_info` (发货信息录入, brief §2) with the validations of §2.3 and the single-update
// rule; knobs under /sandbox/wechat/shipping.
import { type Handler, json, readJsonObject } from './http';
import type { TokenCheck } from './wechat-token';

export interface ShippingUpload {
  readonly order: string;
  /** The merchant's order number, when the sandbox knows the trade. */
  readonly out_trade_no: string | null;
  readonly body: Record<string, unknown>;
  readonly at: string;
}

interface Faults {
  /** The next `count` uploads fail, unrecorded, with this errcode or (`http_status`) a bare HTTP error. */
  count: number;
  errcode: number;
  httpStatus: number | null;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const err = (errcode: number, errmsg: string) => json({ errcode, errmsg });
const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);

/** The order an upload names: `tx:<transaction_id>` or `mch:<mchid>:<out_trade_no>`; or an error. */
function orderOf(key: unknown): string | Response {
  if (typeof key !== 'object' || key === null) return err(268485194, 'order_key missing');
  const k = key as Record<string, unknown>;
  if (k.order_number_type === 2 && str(k.transaction_id)) return `tx:${k.transaction_id}`;
  if (k.order_number_type === 1 && str(k.mchid) && str(k.out_trade_no))
    return `mch:${k.mchid}:${k.out_trade_no}`;
  return err(268485195, 'invalid order_key');
}

/** The §2.3 checks, in WeChat's error codes; null when the body is acceptable. */
function invalid(b: Record<string, unknown>): Response | null {
  if (![1, 2, 3, 4].includes(b.logistics_type as number)) return err(268485196, 'invalid logistics_type');
  if (![1, 2].includes(b.delivery_mode as number)) return err(268485224, 'invalid delivery_mode');
  const list = b.shipping_list;
  if (!Array.isArray(list) || list.length < 1) return err(268485197, 'shipping_list missing');
  if (list.length > 15) return err(10060024, 'shipping_list too long');
  if (b.delivery_mode === 1 && list.length !== 1)
    return err(268485228, 'unified delivery needs exactly 1 item');
  for (const item of list as Record<string, unknown>[]) {
    const desc = item?.item_desc;
    if (typeof desc !== 'string' || desc === '') return err(10060008, 'item_desc missing');
    if ([...desc].length > 120) return err(10060009, 'item_desc too long');
    if (b.logistics_type === 1 && !(str(item.tracking_no) && str(item.express_company)))
      return err(268485226, 'tracking_no / express_company missing');
  }
  if (typeof b.upload_time !== 'string' || !RFC3339.test(b.upload_time))
    return err(268485216, 'upload_time must be RFC 3339');
  const payer = b.payer as Record<string, unknown> | undefined;
  if (!str(payer?.openid)) return err(10060031, 'payer openid missing');
  return null;
}

/**
 * Per order: the first upload ships it, one update is allowed, the same content again is 10060002
 * (already shipped), and a third different upload is 10060003 (update chance used up).
 */
export function shippingSimulator(
  token: { check(url: URL): TokenCheck },
  /** The sandbox's trade behind a transaction id (payer check, listing by out_trade_no); null = unknown. */
  trade: (transactionId: string) => { readonly outTradeNo: string; readonly openid: string } | null,
): Handler {
  const uploads: ShippingUpload[] = [];
  const attempts = { total: 0, failed: 0 };
  const faults: Faults = { count: 0, errcode: 10060012, httpStatus: null };

  async function upload(req: Request, url: URL): Promise<Response> {
    attempts.total++;
    const t = token.check(url);
    if (!('ok' in t)) return json(t);
    if (faults.count > 0) {
      faults.count--;
      attempts.failed++;
      return faults.httpStatus !== null
        ? new Response('busy', { status: faults.httpStatus })
        : err(faults.errcode, 'system error (sandbox fault)');
    }
    const b = await readJsonObject(req);
    if (!b) return err(47001, 'data format error');
    const order = orderOf(b.order_key);
    if (order instanceof Response) return order;
    const bad = invalid(b);
    if (bad) return bad;
    const key = b.order_key as Record<string, unknown>;
    const known = key.order_number_type === 2 ? trade(String(key.transaction_id)) : null;
    if (known && known.openid !== (b.payer as Record<string, unknown>).openid)
      return err(10060031, 'payer openid does not match the payment');
    const outTradeNo = known?.outTradeNo ?? (typeof key.out_trade_no === 'string' ? key.out_trade_no : null);
    const before = uploads.filter((u) => u.order === order);
    const same = (u: ShippingUpload) =>
      JSON.stringify({ ...u.body, upload_time: null }) === JSON.stringify({ ...b, upload_time: null });
    if (before.some(same)) return err(10060002, 'order already shipped');
    if (before.length >= 2) return err(10060003, 'update chance used up');
    uploads.push({ order, out_trade_no: outTradeNo, body: b, at: new Date().toISOString() });
    return err(0, 'ok');
  }

  return async (req, url) => {
    const path = url.pathname;
    if (req.method === 'POST' && path === '/wxa/sec/order/upload_shipping_info') return upload(req, url);
    if (req.method === 'GET' && path === '/sandbox/wechat/shipping') {
      const tx = url.searchParams.get('transaction_id');
      const no = url.searchParams.get('out_trade_no');
      const match = (u: ShippingUpload) => (!tx || u.order === `tx:${tx}`) && (!no || u.out_trade_no === no);
      return json({ attempts, uploads: uploads.filter(match) });
    }
    if (req.method === 'POST' && path === '/sandbox/wechat/shipping/faults') {
      const b = (await readJsonObject(req)) ?? {};
      const count = b.fail_next;
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 0)
        return json({ error: 'fail_next must be a non-negative integer' }, 400);
      faults.count = count;
      faults.errcode = typeof b.errcode === 'number' ? b.errcode : 10060012;
      faults.httpStatus = typeof b.http_status === 'number' ? b.http_status : null;
      return json({ fail_next: faults.count, errcode: faults.errcode, http_status: faults.httpStatus });
    }
    return null;
  };
}
