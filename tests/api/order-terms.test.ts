import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { FixedClock } from '../../src/adapters/system/clock';
import { type HttpHarness, httpHarness } from './harness';

const MINUTE = 60_000;

/** What an order promises at creation — price, credits, expiry — and what paying it means. */
describe('order terms are fixed at creation', () => {
  let h: HttpHarness;
  let clock: FixedClock;
  let admin: string;
  beforeAll(async () => {
    // Near real time: the sandbox checks time_expire against its own clock.
    clock = new FixedClock(new Date());
    h = await httpHarness({ clock, adminCodes: ['terms-admin'] });
    admin = (await h.login('terms-admin')).token;
  });
  afterAll(() => h.stop());

  const setExpireMinutes = (minutes: number) => {
    (h.deps.settings as { orderExpireMinutes: number }).orderExpireMinutes = minutes;
  };
  const create = async (token: string, productId = 1) =>
    (await h.request('POST', '/api/orders/create', { token, body: { product_id: productId } })).body;
  const pay = (token: string, id: number) => h.request('POST', `/api/orders/pay/${id}`, { token });

  it('keeps its expiry when ORDER_EXPIRE_MINUTES changes later', async () => {
    const { token } = await h.login('terms-expiry');
    setExpireMinutes(30);
    const long = await create(token);
    setExpireMinutes(5);
    const short = await create(token);
    clock.advance(10 * MINUTE);
    try {
      expect((await pay(token, long.order_id)).status).toBe(200);
      const expired = await pay(token, short.order_id);
      expect(expired.body).toEqual({ detail: '订单已过期，请重新下单' });
      setExpireMinutes(60);
      expect((await pay(token, short.order_id)).body).toEqual({ detail: '订单已过期，请重新下单' });
    } finally {
      setExpireMinutes(30);
    }
  });

  it('keeps its price and credits when the product is edited before it is paid', async () => {
    const { token } = await h.login('terms-price');
    const product = (
      await h.request('POST', '/api/admin/products', {
        token: admin,
        body: { name: '200积分', credits: 200, price: 19.9 },
      })
    ).body;
    const order = await create(token, product.id);
    await pay(token, order.order_id);
    const edit = { price: 1, credits: 5000, name: '改名' };
    expect(
      (await h.request('PATCH', `/api/admin/products/${product.id}`, { token: admin, body: edit })).status,
    ).toBe(200);
    await fetch(`${h.sandbox.url}/sandbox/trades/${order.order_no}/pay?notify=false`, { method: 'POST' });
    const status = await h.request('GET', `/api/orders/payment-status/${order.order_id}`, { token });
    expect(status.body.status).toBe('completed');
    const detail = (await h.request('GET', `/api/orders/${order.order_id}`, { token })).body;
    expect(detail).toMatchObject({ amount: 19.9, credits: 200, product_name: '200积分' });
    expect((await h.request('GET', '/api/users/me', { token })).body.credits).toBe(200);
  });

  it('settles an order the provider already took money for, instead of sending the user to a new order', async () => {
    const { token } = await h.login('terms-paid');
    const order = await create(token);
    expect((await pay(token, order.order_id)).status).toBe(200);
    await fetch(`${h.sandbox.url}/sandbox/trades/${order.order_no}/pay?notify=false`, { method: 'POST' });
    const again = await pay(token, order.order_id);
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ detail: '订单已支付，积分已发放' });
    expect((await h.request('GET', `/api/orders/${order.order_id}`, { token })).body.status).toBe(
      'completed',
    );
    expect((await h.request('GET', '/api/users/me', { token })).body.credits).toBe(100);
    expect((await pay(token, order.order_id)).body).toEqual({ detail: '订单已支付，积分已发放' });
  });

  it('cancels an order whose trade the provider closed, when asked to pay it', async () => {
    const { token } = await h.login('terms-closed');
    const order = await create(token);
    await pay(token, order.order_id);
    await fetch(`${h.sandbox.url}/sandbox/trades/${order.order_no}/close`, { method: 'POST' });
    const again = await pay(token, order.order_id);
    expect(again.body).toEqual({ detail: '订单已取消，请重新下单' });
    expect((await h.request('GET', `/api/orders/${order.order_id}`, { token })).body.status).toBe(
      'cancelled',
    );
  });
});
