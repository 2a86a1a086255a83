// Adapter ↔ simulator over real TCP: the simulator, a notify_url receiver running the adapter's
// PaymentNotifications, and a configured adapter.
import { randomInt } from 'node:crypto';
import {
  createWechatPay,
  notifyFailBody,
  notifyFailStatus,
  validateWechatPayConfig,
} from '../../src/adapters/payment/wechatpay';
import type { WechatPayConfig } from '../../src/adapters/payment/wechatpay/config';
import { createV3Simulator, type V3SimulatorOptions } from '../../src/adapters/sandbox/v3/simulator';
import type { NotificationError, PaymentEvent, RefundNotice } from '../../src/domain/payment';
import type { Clock, Random } from '../../src/domain/ports';
import type { Result } from '../../src/domain/result';

export const systemClock: Clock = { now: () => new Date() };
export const cryptoRandom: Random = {
  string: (n, alphabet) => Array.from({ length: n }, () => alphabet[randomInt(alphabet.length)]).join(''),
};

export async function startHarness(simOpts: V3SimulatorOptions = {}, cfg: Partial<WechatPayConfig> = {}) {
  const sim = createV3Simulator({ timeScale: 0.001, ...simOpts });
  const simServer = Bun.serve({ port: 0, fetch: sim.fetch });
  const m = sim.merchant;
  const verifierKeys = Object.fromEntries(sim.wechatpayKeys.map((k) => [k.serial, k.publicPem]));
  const config = validateWechatPayConfig({
    mchid: m.mchid,
    appid: m.appid,
    merchantSerial: m.merchantSerial,
    merchantPrivateKeyPem: m.merchantPrivateKeyPem,
    apiV3Key: m.apiV3Key,
    verifierKeys,
    baseUrl: `http://127.0.0.1:${simServer.port}`,
    ...cfg,
  });
  if (!config.ok) throw new Error(config.error.join('; '));
  const wechatpay = createWechatPay(config.value, { clock: systemClock, random: cryptoRandom });

  // The app's future notify route, reduced to what matters here: verify, then answer by status.
  const received: Result<PaymentEvent, NotificationError>[] = [];
  const receivedRefunds: Result<RefundNotice, NotificationError>[] = [];
  const serials: string[] = [];
  const notifyServer = Bun.serve({
    port: 0,
    async fetch(req) {
      const raw = await req.text();
      if (new URL(req.url).pathname.endsWith('/refund')) {
        const r = wechatpay.notifications.verifyRefund(req.headers, raw);
        receivedRefunds.push(r);
        return r.ok
          ? new Response(null, { status: 204 })
          : Response.json(notifyFailBody(r.error.message), { status: 400 });
      }
      const r = wechatpay.notifications.verify(req.headers, raw);
      received.push(r);
      serials.push(req.headers.get('wechatpay-serial') ?? '');
      return r.ok
        ? new Response(null, { status: 204 })
        : Response.json(notifyFailBody(r.error.message), { status: notifyFailStatus(r.error) });
    },
  });
  const simUrl = `http://127.0.0.1:${simServer.port}`;
  return {
    sim,
    config: config.value,
    ...wechatpay,
    received,
    receivedRefunds,
    serials,
    notifyUrl: `http://127.0.0.1:${notifyServer.port}/api/orders/notify/wechatpay`,
    refundNotifyUrl: `http://127.0.0.1:${notifyServer.port}/api/orders/notify/wechatpay/refund`,
    control: (path: string, body?: unknown) =>
      fetch(`${simUrl}${path}`, {
        method: 'POST',
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    // A bound for a stuck test, not a speed check: a loaded machine takes seconds for a delivery.
    async waitFor(pred: () => boolean, ms = 30_000) {
      const until = Date.now() + ms;
      while (!pred()) {
        if (Date.now() > until) throw new Error('condition not met in time');
        await Bun.sleep(5);
      }
    },
    stop() {
      sim.stop();
      simServer.stop(true);
      notifyServer.stop(true);
    },
  };
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;

let seq = 0;
export const orderNo = () => `P${Date.now()}${(seq++).toString().padStart(4, '0')}`;
export const paymentRequest = (h: Harness, outTradeNo = orderNo(), amountFen = 990) => ({
  outTradeNo,
  description: '积分包-100',
  amountFen,
  openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
  notifyUrl: h.notifyUrl,
  expiresAt: new Date(Date.now() + 30 * 60_000),
});
