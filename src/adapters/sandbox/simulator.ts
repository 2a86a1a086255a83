import { PREPAY_TTL_MS } from '../payment/gateway/contract';
import { type Handler, json, readJsonObject } from './http';
import type { Notifier } from './notifier';
import { digits, verifyPaySign } from './paysign';
import { markPaid, type SandboxContext, tradeView } from './state';

const fail = (detail: string) => json({ errMsg: `requestPayment:fail ${detail}` }, 400);

/**
 * `/sandbox/*`: the "user's phone" side (wx.requestPayment) and knobs for tests and people —
 * force a trade paid/closed/failed, with or without the callback (a lost callback).
 */
export function simulatorRoutes(ctx: SandboxContext, notifier: Notifier): Handler {
  const { trades, byPrepay } = ctx.state;

  async function requestPayment(req: Request): Promise<Response> {
    const b = await readJsonObject(req);
    const fields = ['timeStamp', 'nonceStr', 'package', 'signType', 'paySign'] as const;
    if (!b) return fail('参数错误: 请求体应为 JSON 对象');
    const missing = fields.filter((f) => typeof b[f] !== 'string');
    // Our pay answer names it `packageValue` (as the seed does); wx.requestPayment wants `package`.
    if (missing.length)
      return fail(
        `参数错误: 缺少 ${missing.join(', ')}${missing.includes('package') && typeof b.packageValue === 'string' ? '（pay 接口返回的 packageValue 应作为 package 传入）' : ''}`,
      );
    const p = b as Record<(typeof fields)[number], string>;
    if (p.signType !== 'RSA') return fail('signType 必须为 RSA');
    if (!verifyPaySign(ctx.key, { ...p, appId: ctx.appid })) return fail('支付验证签名失败');
    const prepayId = p.package.startsWith('prepay_id=') ? p.package.slice('prepay_id='.length) : '';
    const trade = trades.get(byPrepay.get(prepayId) ?? '');
    const now = ctx.now();
    // Only the trade's current prepay counts: an older one was superseded when it expired.
    if (!trade || trade.prepayId !== prepayId || !trade.prepayAt) return fail('prepay_id 不存在');
    if (now.getTime() - trade.prepayAt.getTime() >= PREPAY_TTL_MS) return fail('prepay_id 已过期');
    if (trade.state === 'SUCCESS' || trade.state === 'REFUND') return fail('该订单已支付');
    if (trade.state !== 'NOTPAY' && trade.state !== 'USERPAYING') return fail('订单已关闭');
    if (now.getTime() >= trade.timeExpire.getTime()) return fail('订单已过期');
    markPaid(trade, now);
    notifier.notify(trade, 'SUCCESS');
    return json({ errMsg: 'requestPayment:ok' });
  }

  function force(outTradeNo: string, action: string, params: URLSearchParams): Response {
    const notify = params.get('notify') !== 'false';
    const trade = trades.get(outTradeNo);
    if (!trade) return json({ error: 'trade not found', out_trade_no: outTradeNo }, 404);
    if (action === 'statement-amount') {
      const fen = Number(params.get('fen'));
      if (!Number.isSafeInteger(fen) || fen < 1)
        return json({ error: 'fen must be a positive integer' }, 400);
      trade.statementFen = fen;
      return json(tradeView(trade));
    }
    if (action === 'second-payment') {
      // The same order paid once more under another transaction (e.g. a second device): only the
      // callback carries it; the trade keeps its first transaction, as the provider's query would.
      if (trade.state !== 'SUCCESS') return json({ error: `trade is ${trade.state}` }, 409);
      const second = { ...trade, transactionId: `4200${digits(24)}` };
      notifier.notify(second, 'SUCCESS');
      return json({ ...tradeView(trade), second_transaction_id: second.transactionId });
    }
    const open = trade.state === 'NOTPAY' || trade.state === 'USERPAYING';
    if (action === 'pay') {
      // Re-paying a paid trade re-sends its callback: handy for duplicate-callback tests.
      if (!open && trade.state !== 'SUCCESS') return json({ error: `trade is ${trade.state}` }, 409);
      markPaid(trade, ctx.now());
      // `queries=lost`: the trade answers NOTPAY to every query, so only the statement knows it.
      if (params.get('queries') === 'lost') trade.queriesLost = true;
      if (notify) notifier.notify(trade, 'SUCCESS');
    } else if (action === 'fail') {
      if (!open && trade.state !== 'PAYERROR') return json({ error: `trade is ${trade.state}` }, 409);
      trade.state = 'PAYERROR';
      if (notify) notifier.notify(trade, 'PAYERROR');
    } else {
      if (trade.state === 'SUCCESS' || trade.state === 'REFUND') return json({ error: 'trade is paid' }, 409);
      trade.state = 'CLOSED'; // WeChat sends no callback for a close.
    }
    return json(tradeView(trade));
  }

  return async (req, url) => {
    const path = url.pathname.replace(/\/+$/, '');
    if (req.method === 'POST' && path === '/sandbox/request-payment') return requestPayment(req);
    if (req.method === 'GET' && path === '/sandbox/deliveries') {
      const orderNo = url.searchParams.get('order_no');
      return json(notifier.deliveries().filter((d) => !orderNo || d.order_no === orderNo));
    }
    const m = /^\/sandbox\/trades\/([^/]+)(?:\/(pay|close|fail|statement-amount|second-payment))?$/.exec(
      path,
    );
    if (!m) return null;
    const outTradeNo = decodeURIComponent(m[1] ?? '');
    if (m[2] && req.method === 'POST') return force(outTradeNo, m[2], url.searchParams);
    if (!m[2] && req.method === 'GET') {
      const trade = trades.get(outTradeNo);
      return trade
        ? json(tradeView(trade))
        : json({ error: 'trade not found', out_trade_no: outTradeNo }, 404);
    }
    return null;
  };
}
