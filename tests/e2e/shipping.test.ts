import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { client, eventually, requestPaymentArgs, type Stack, startStack } from './stack';

interface Upload {
  order: string;
  out_trade_no: string | null;
  body: Record<string, unknown>;
}
interface Shipping {
  attempts: { total: number; failed: number };
  uploads: Upload[];
}

/**
 * Issue 12 "shipping info uploaded once per credited WeChat Pay order when enabled, retried after a
 * simulated failure": two API instances (both run the shipping job every second) over one database.
 */
describe('shipping info (发货信息) for credited WeChat Pay orders, SHIPPING_UPLOAD=on', () => {
  let stack: Stack;
  let urls: string[];
  beforeAll(async () => {
    stack = await startStack({ apiEnv: { SHIPPING_UPLOAD: 'on', SHIPPING_INTERVAL_SECONDS: '1' } });
    urls = [stack.api, await stack.addApi()];
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const shipping = async (orderNo: string) =>
    (await (
      await fetch(`${stack.sandbox}/sandbox/wechat/shipping?out_trade_no=${orderNo}`)
    ).json()) as Shipping;

  /** login → create → pay → wx.requestPayment → the callback credits it. */
  async function buy(user: string) {
    const api = client(urls[0]!);
    const token = await api.login(user);
    const order = (await api.call('POST', '/api/orders/create', { token, body: { product_id: 1 } })).body;
    const pay = await client(urls[1]!).call('POST', `/api/orders/pay/${order.order_id}`, { token });
    await fetch(`${stack.sandbox}/sandbox/request-payment`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(requestPaymentArgs(pay.body.payment_data)),
    });
    const done = await eventually(async () => {
      const d = await api.call('GET', `/api/orders/${order.order_id}`, { token });
      return d.body.status === 'completed' ? d.body : undefined;
    });
    const me = await api.call('GET', '/api/users/me', { token });
    return {
      orderId: order.order_id as number,
      orderNo: order.order_no as string,
      paymentId: done.payment_id as string,
      openid: me.body.openid,
      token,
    };
  }

  it('uploads a credited order exactly once: virtual goods, its transaction, its payer', async () => {
    const { orderId, orderNo, paymentId, openid, token } = await buy('ship-once');
    const first = await eventually(async () => {
      const s = await shipping(orderNo);
      return s.uploads.length > 0 ? s.uploads : undefined;
    }, 20_000);
    // Status queries of the credited order on both instances queue nothing more.
    for (const url of urls) await client(url).call('GET', `/api/orders/payment-status/${orderId}`, { token });
    // Several more runs of both instances' jobs change nothing.
    await Bun.sleep(3000);
    const s = await shipping(orderNo);
    expect(s.uploads).toEqual(first);
    expect(s.uploads).toHaveLength(1);
    const body = s.uploads[0]!.body;
    expect(body).toMatchObject({
      order_key: { order_number_type: 2, transaction_id: paymentId },
      logistics_type: 3,
      delivery_mode: 1,
      shipping_list: [{ item_desc: '100积分套餐' }],
      payer: { openid },
    });
    expect(body.upload_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
  }, 60_000);

  it('after a simulated failure the upload is retried (with back-off, about a minute) and done once', async () => {
    const fault = await fetch(`${stack.sandbox}/sandbox/wechat/shipping/faults`, {
      method: 'POST',
      body: JSON.stringify({ fail_next: 1, errcode: 10060001 }),
    });
    expect(fault.status).toBe(200);
    const { orderNo } = await buy('ship-retry');
    await eventually(
      async () =>
        stack.logs.some((l) => l.includes('"shipping.upload_failed"') && l.includes('10060001'))
          ? true
          : undefined,
      20_000,
    );
    expect((await shipping(orderNo)).uploads).toHaveLength(0);
    // The retry is due in the next minute: the job of either instance uploads it then.
    const s = await eventually(async () => {
      const r = await shipping(orderNo);
      return r.uploads.length > 0 ? r : undefined;
    }, 100_000);
    expect(s.uploads).toHaveLength(1);
    expect(s.attempts.failed).toBe(1);
    await Bun.sleep(2000);
    expect((await shipping(orderNo)).uploads).toHaveLength(1);
  }, 150_000);
});
