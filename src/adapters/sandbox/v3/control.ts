// Simulator-only test controls under /v3sim/*: what a phone and a tester would do to WeChat.
import { parseVerifierKey, paySignMessage, rsaVerify } from '../../payment/wechatpay/crypto';
import { type Faults, parseFaults } from './faults';
import type { MerchantIdentity } from './keys';
import type { Notifier } from './notifier';
import { PREPAY_TTL_MS, type Trade, type Trades } from './trades';

export interface ControlDeps {
  readonly merchant: MerchantIdentity;
  readonly publicKeyId: string;
  readonly publicKeyPem: string;
  readonly trades: Trades;
  readonly refunds: {
    force(no: string, status: 'SUCCESS' | 'CLOSED' | 'ABNORMAL', notify: boolean): boolean;
    ofTrade(outTradeNo: string): object[];
  };
  readonly notifier: Notifier;
  readonly nowMs: () => number;
  getFaults(): Faults;
  setFaults(f: Faults): void;
}

const json = (status: number, body: unknown) => Response.json(body, { status });

export function createControl(d: ControlDeps) {
  const merchantKey = parseVerifierKey(d.merchant.merchantPublicKeyPem);

  function paid(t: Trade, notify: boolean) {
    const eventId = notify ? d.notifier.notify(t.notifyUrl, t.outTradeNo, d.trades.resource(t)) : null;
    return { out_trade_no: t.outTradeNo, transaction_id: t.transactionId, notification_id: eventId };
  }

  /** wx.requestPayment: the signature check the WeChat client performs, then the payment. */
  async function requestPayment(req: Request): Promise<Response> {
    const b = (await req.json().catch(() => ({}))) as Record<string, unknown>;
    const failure = (why: string) => json(400, { errMsg: `requestPayment:fail ${why}` });
    const { timeStamp, nonceStr, package: pkg, signType, paySign } = b;
    const appId = typeof b.appId === 'string' ? b.appId : d.merchant.appid;
    if (typeof timeStamp !== 'string' || !/^\d{10}$/.test(timeStamp))
      return failure('timeStamp must be 10-digit seconds as a string');
    if (typeof nonceStr !== 'string' || nonceStr.length === 0 || nonceStr.length > 32)
      return failure('bad nonceStr');
    if (typeof pkg !== 'string' || !pkg.startsWith('prepay_id='))
      return failure('package must be prepay_id=…');
    if (signType !== 'RSA') return failure('signType must be RSA');
    if (
      typeof paySign !== 'string' ||
      !rsaVerify(paySignMessage(appId, timeStamp, nonceStr, pkg), paySign, merchantKey)
    )
      return failure('paySign does not verify');
    const t = d.trades.findByPrepayId(pkg.slice('prepay_id='.length));
    if (!t || appId !== d.merchant.appid) return failure('prepay_id unknown for this appid');
    if (d.nowMs() - t.prepayAtMs >= PREPAY_TTL_MS) return failure('prepay_id expired');
    const r = d.trades.pay(t.outTradeNo);
    if (typeof r === 'string') return failure(r);
    return json(200, { errMsg: 'requestPayment:ok', ...paid(r, true) });
  }

  return async (req: Request, url: URL): Promise<Response | null> => {
    const path = url.pathname;
    const m = /^\/v3sim\/trades\/([^/]+)(?:\/(pay|fail))?$/.exec(path);
    if (req.method === 'POST' && path === '/v3sim/request-payment') return requestPayment(req);
    if (m && req.method === 'POST' && m[2] === 'pay') {
      const r = d.trades.pay(decodeURIComponent(m[1]!));
      return typeof r === 'string'
        ? json(409, { error: r })
        : json(200, paid(r, url.searchParams.get('notify') !== 'false'));
    }
    if (m && req.method === 'POST' && m[2] === 'fail') {
      const r = d.trades.fail(decodeURIComponent(m[1]!));
      return typeof r === 'string'
        ? json(409, { error: r })
        : json(200, { out_trade_no: r.outTradeNo, trade_state: r.state });
    }
    if (m && req.method === 'GET' && !m[2]) {
      const t = d.trades.get(decodeURIComponent(m[1]!));
      return t ? json(200, d.trades.resource(t)) : json(404, { error: 'no such trade' });
    }
    const rm = /^\/v3sim\/refunds\/([^/]+)\/(succeed|close|abnormal)$/.exec(path);
    if (rm && req.method === 'POST') {
      const status = ({ succeed: 'SUCCESS', close: 'CLOSED', abnormal: 'ABNORMAL' } as const)[
        rm[2] as 'succeed' | 'close' | 'abnormal'
      ];
      const notify = url.searchParams.get('notify') !== 'false';
      return d.refunds.force(decodeURIComponent(rm[1]!), status, notify)
        ? json(200, { ok: true, status })
        : json(409, { error: 'no such refund, or it already ended otherwise' });
    }
    if (path === '/v3sim/refunds' && req.method === 'GET')
      return json(200, d.refunds.ofTrade(url.searchParams.get('out_trade_no') ?? ''));
    if (path === '/v3sim/faults' && req.method === 'GET') return json(200, d.getFaults());
    if (path === '/v3sim/faults' && req.method === 'POST') {
      const f = parseFaults(await req.json().catch(() => null));
      if (typeof f === 'string') return json(400, { error: f });
      d.setFaults(f);
      return json(200, f);
    }
    if (path === '/v3sim/deliveries' && req.method === 'GET') return json(200, d.notifier.deliveries);
    if (path === '/v3sim/identity' && req.method === 'GET')
      return json(200, {
        mchid: d.merchant.mchid,
        appid: d.merchant.appid,
        publicKeyId: d.publicKeyId,
        publicKeyPem: d.publicKeyPem,
      });
    return path.startsWith('/v3sim/') ? json(404, { error: 'unknown simulator control' }) : null;
  };
}
