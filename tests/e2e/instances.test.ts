import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { SIGNATURE_HEADER, signGatewayPayload } from '../../src/adapters/payment/gateway/signature';
import { readStore } from './ledger-db';
import { CALLBACK_SECRET, client, type Stack, startStack, WITHOUT_ORDER_LIMITS } from './stack';

/**
 * SPEC §3 "horizontal scale": no in-process state is needed for correctness. Three API processes
 * share one database; ids, settlements and grants must stay exactly-once across them.
 */
describe('three API instances on one database', () => {
  let stack: Stack;
  let urls: string[];
  beforeAll(async () => {
    stack = await startStack({ apiEnv: WITHOUT_ORDER_LIMITS });
    urls = [stack.api, await stack.addApi(), await stack.addApi()];
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('allocates distinct order ids when every instance creates at once', async () => {
    const token = await client(stack.api).login('multi-create');
    const created = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        client(urls[i % 3]!).call('POST', '/api/orders/create', { token, body: { product_id: 1 } }),
      ),
    );
    expect(created.every((r) => r.status === 200)).toBe(true);
    const ids = created.map((r) => r.body.order_id as number);
    expect(new Set(ids).size).toBe(60);
    const listed = await client(urls[1]!).call('GET', '/api/orders/?limit=100', { token });
    expect(listed.body).toHaveLength(60);
  });

  it('grants each paid order once when callbacks and status queries hit different instances', async () => {
    const api = client(stack.api);
    const token = await api.login('multi-settle');
    const userId = (await api.call('GET', '/api/users/me', { token })).body.id as number;
    const orders: { id: number; no: string; paymentId: string }[] = [];
    for (let i = 0; i < 6; i++) {
      const o = (
        await client(urls[i % 3]!).call('POST', '/api/orders/create', { token, body: { product_id: 2 } })
      ).body;
      await client(urls[(i + 1) % 3]!).call('POST', `/api/orders/pay/${o.order_id}`, { token });
      await fetch(`${stack.sandbox}/sandbox/trades/${o.order_no}/pay?notify=false`, { method: 'POST' });
      // The callbacks name the transaction the provider really made: another id would be a second payment.
      const trade = (await (await fetch(`${stack.sandbox}/sandbox/trades/${o.order_no}`)).json()) as {
        transaction_id: string;
      };
      orders.push({ id: o.order_id, no: o.order_no, paymentId: trade.transaction_id });
    }
    const hits = orders.flatMap((o) =>
      urls.flatMap((url) => {
        const raw = JSON.stringify({
          order_no: o.no,
          payment_id: o.paymentId,
          status: 'SUCCESS',
          amount: 39.9,
        });
        return [
          fetch(`${url}/api/orders/callback`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              [SIGNATURE_HEADER]: signGatewayPayload(CALLBACK_SECRET, raw, Math.floor(Date.now() / 1000)),
            },
            body: raw,
          }).then((r) => r.status),
          client(url)
            .call('GET', `/api/orders/payment-status/${o.id}`, { token })
            .then((r) => r.status),
        ];
      }),
    );
    expect((await Promise.all(hits)).every((s) => s === 200)).toBe(true);
    const store = await readStore(stack.mongoUri, userId);
    expect(store.keys.sort()).toEqual(orders.map((o) => `purchase:${o.id}`).sort());
    expect(store.seqs).toEqual([1, 2, 3, 4, 5, 6]);
    expect(store.balance).toBe(6 * 500);
  });
});
