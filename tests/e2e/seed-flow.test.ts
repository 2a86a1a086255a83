import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import type { Json } from '../../scripts/client';
import { client, eventually, requestPaymentArgs, type Stack, startStack } from './stack';

describe("the seed's §6 mini-program flow over real TCP (API + sandbox + FerretDB)", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('login → products → create → pay → requestPayment → callback → completed → credits', async () => {
    const api = client(stack.api);
    const token = await api.login('alice');

    const products = await api.call('GET', '/api/products/');
    expect(products.body.map((p: { name: string; price: number }) => [p.name, p.price])).toEqual([
      ['100积分套餐', 9.9],
      ['500积分套餐', 39.9],
    ]);

    const created = await api.call('POST', '/api/orders/create', { token, body: { product_id: 2 } });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ amount: 39.9, credits: 500, message: '订单创建成功' });
    expect(created.body.order_no).toMatch(/^P\d{14}[0-9a-z]{8}$/);
    const orderId = created.body.order_id;

    // As the seed's payOrder sends it: wx.request with no `data` still says content-type json.
    const paid = await fetch(`${stack.api}/api/orders/pay/${orderId}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
    const pay = { status: paid.status, body: (await paid.json()) as Json };
    expect(pay.status).toBe(200);
    expect(pay.body.message).toBe('创建支付成功');
    expect(pay.body.payment_data.packageValue).toMatch(/^prepay_id=/);

    const wxPay = await fetch(`${stack.sandbox}/sandbox/request-payment`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(requestPaymentArgs(pay.body.payment_data)),
    });
    expect(await wxPay.json()).toEqual({ errMsg: 'requestPayment:ok' });

    // The order detail never asks the provider, so "completed" here proves the callback arrived.
    const detail = await eventually(async () => {
      const d = await api.call('GET', `/api/orders/${orderId}`, { token });
      return d.body.status === 'completed' ? d.body : undefined;
    });
    expect(detail.payment_id).toMatch(/^4200\d{24}$/);

    const status = await api.call('GET', `/api/orders/payment-status/${orderId}`, { token });
    expect(status.body).toEqual({ order_id: orderId, status: 'completed', paid: true, message: '支付成功' });

    const me = await api.call('GET', '/api/users/me', { token });
    expect(me.body.credits).toBe(500);

    const tx = await api.call('GET', '/api/credits/transactions', { token });
    expect(tx.body).toHaveLength(1);
    expect(tx.body[0]).toMatchObject({
      amount: 500,
      balance_after: 500,
      type: 'purchase',
      related_order_id: orderId,
    });
  });

  it('completes an order whose callback was lost, through the payment-status query', async () => {
    const api = client(stack.api);
    const token = await api.login('bob');
    const created = await api.call('POST', '/api/orders/create', { token, body: { product_id: 1 } });
    const orderId = created.body.order_id;
    await api.call('POST', `/api/orders/pay/${orderId}`, { token });

    const pending = await api.call('GET', `/api/orders/payment-status/${orderId}`, { token });
    expect(pending.body).toEqual({
      order_id: orderId,
      status: 'pending',
      paid: false,
      message: '支付进行中，状态: NOTPAY',
    });

    const forced = await fetch(`${stack.sandbox}/sandbox/trades/${created.body.order_no}/pay?notify=false`, {
      method: 'POST',
    });
    expect(forced.status).toBe(200);
    await Bun.sleep(200);
    expect((await api.call('GET', `/api/orders/${orderId}`, { token })).body.status).toBe('pending');

    // The mini-program polls; the provider is asked about one order at most every few seconds.
    const status = await eventually(async () => {
      const s = await api.call('GET', `/api/orders/payment-status/${orderId}`, { token });
      return s.body.status === 'pending' ? undefined : s;
    });
    expect(status.body).toEqual({ order_id: orderId, status: 'completed', paid: true, message: '支付成功' });
    expect((await api.call('GET', '/api/users/me', { token })).body.credits).toBe(100);
  });

  it('refuses a body over 1 MiB with 413 {detail} over real TCP and creates nothing', async () => {
    const api = client(stack.api);
    const token = await api.login('big-body');
    const res = await fetch(`${stack.api}/api/orders/create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ product_id: 1, pad: 'x'.repeat(1024 * 1024 + 10) }),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { detail: string }).detail).toContain('1 MiB');
    expect((await api.call('GET', '/api/orders/', { token })).body).toEqual([]);
  });

  it('cancels an order the provider closed, and grants nothing', async () => {
    const api = client(stack.api);
    const token = await api.login('carol');
    const created = await api.call('POST', '/api/orders/create', { token, body: { product_id: 1 } });
    await api.call('POST', `/api/orders/pay/${created.body.order_id}`, { token });
    await fetch(`${stack.sandbox}/sandbox/trades/${created.body.order_no}/close`, { method: 'POST' });
    const status = await api.call('GET', `/api/orders/payment-status/${created.body.order_id}`, { token });
    expect(status.body).toMatchObject({ status: 'cancelled', paid: false });
    const again = await api.call('POST', `/api/orders/pay/${created.body.order_id}`, { token });
    expect(again.status).toBe(400);
    expect((await api.call('GET', '/api/users/me', { token })).body.credits).toBe(0);
  });
});
