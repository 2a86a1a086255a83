import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { SIGNATURE_HEADER, signGatewayPayload } from '../../src/adapters/payment/gateway/signature';
import { readStore } from './ledger-db';
import { CALLBACK_SECRET, client, type Stack, startStack, WITHOUT_ORDER_LIMITS } from './stack';

type Api = ReturnType<typeof client>;

/** A pending order whose payment the provider has taken, with its callback lost on purpose. */
async function paidOrder(stack: Stack, api: Api, token: string, productId = 1) {
  const created = await api.call('POST', '/api/orders/create', { token, body: { product_id: productId } });
  await api.call('POST', `/api/orders/pay/${created.body.order_id}`, { token });
  const res = await fetch(`${stack.sandbox}/sandbox/trades/${created.body.order_no}/pay?notify=false`, {
    method: 'POST',
  });
  const trade = (await (
    await fetch(`${stack.sandbox}/sandbox/trades/${created.body.order_no}`)
  ).json()) as Record<string, unknown>;
  expect(res.status).toBe(200);
  return {
    id: created.body.order_id as number,
    orderNo: created.body.order_no as string,
    amount: created.body.amount as number,
    trade,
  };
}

function signedCallback(stack: Stack, order: { orderNo: string; amount: number }, paymentId: string) {
  const body = JSON.stringify({
    order_no: order.orderNo,
    payment_id: paymentId,
    status: 'SUCCESS',
    amount: order.amount,
  });
  return fetch(`${stack.api}/api/orders/callback`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [SIGNATURE_HEADER]: signGatewayPayload(CALLBACK_SECRET, body, Math.floor(Date.now() / 1000)),
    },
    body,
  });
}

describe('exactly-once credits under concurrency (real processes, FerretDB)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ apiEnv: WITHOUT_ORDER_LIMITS });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('50 duplicate callbacks + 50 status queries at once grant one order exactly once', async () => {
    const api = client(stack.api);
    const token = await api.login('dup-user');
    const me = await api.call('GET', '/api/users/me', { token });
    const order = await paidOrder(stack, api, token);
    const paymentId = String(
      order.trade.transaction_id ?? order.trade.transactionId ?? '4200000000000000000000000001',
    );

    const results = await Promise.all([
      ...Array.from({ length: 50 }, () => signedCallback(stack, order, paymentId).then((r) => r.status)),
      ...Array.from({ length: 50 }, () =>
        api.call('GET', `/api/orders/payment-status/${order.id}`, { token }).then((r) => r.status),
      ),
    ]);
    expect(results.every((s) => s === 200)).toBe(true);

    const store = await readStore(stack.mongoUri, me.body.id);
    expect(store.keys).toEqual([`purchase:${order.id}`]);
    expect(store.balance).toBe(100);
    expect((await api.call('GET', '/api/users/me', { token })).body.credits).toBe(100);
    const final = await api.call('GET', `/api/orders/payment-status/${order.id}`, { token });
    expect(final.body).toMatchObject({ status: 'completed', paid: true });
  });

  it('20 different orders of one user settled at once: balance is the sum and seq has no gaps', async () => {
    const api = client(stack.api);
    const token = await api.login('many-orders');
    const me = await api.call('GET', '/api/users/me', { token });
    const orders = [];
    for (let i = 0; i < 20; i++) orders.push(await paidOrder(stack, api, token, i % 2 === 0 ? 1 : 2));

    const statuses = await Promise.all(
      orders.map((o, i) =>
        i % 2 === 0
          ? signedCallback(stack, o, `42000000000000000000000000${String(i).padStart(2, '0')}`).then(
              (r) => r.status,
            )
          : api.call('GET', `/api/orders/payment-status/${o.id}`, { token }).then((r) => r.status),
      ),
    );
    expect(statuses.every((s) => s === 200)).toBe(true);

    const store = await readStore(stack.mongoUri, me.body.id);
    expect(store.seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(store.balance).toBe(10 * 100 + 10 * 500);
    expect(store.amounts.reduce((a, b) => a + b, 0)).toBe(store.balance);
    expect((await api.call('GET', '/api/users/me', { token })).body.credits).toBe(6000);
  });
});
