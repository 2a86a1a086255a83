import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { client, eventually, type Stack, startStack } from './stack';

/**
 * The sweeper as it runs in the API processes (app/jobs.ts), two instances on one database: a paid
 * order whose callback was lost is completed with no client ever asking, exactly once.
 */
describe('the reconciliation sweeper in the running API (real processes, FerretDB)', () => {
  let stack: Stack;
  let second: string;
  beforeAll(async () => {
    // Three separate purchases of one product: a pending order of it is not to be handed out again.
    stack = await startStack({
      apiEnv: { RECONCILE_INTERVAL_SECONDS: '1', RECONCILE_AFTER_SECONDS: '0', REUSE_PENDING_ORDERS: 'off' },
    });
    second = await stack.addApi();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('completes a paid order whose callback was lost, without any client query', async () => {
    const api = client(stack.api);
    const token = await api.login('sweeper-e2e');
    const orders = [];
    for (let i = 0; i < 3; i++) {
      const created = await client(i % 2 ? second : stack.api).call('POST', '/api/orders/create', {
        token,
        body: { product_id: 1 },
      });
      await api.call('POST', `/api/orders/pay/${created.body.order_id}`, { token });
      const paid = await fetch(`${stack.sandbox}/sandbox/trades/${created.body.order_no}/pay?notify=false`, {
        method: 'POST',
      });
      expect(paid.status).toBe(200);
      orders.push(created.body.order_id as number);
    }
    // The order detail never asks the provider: "completed" here can only be the sweeper's work.
    // A sweep of either instance may look between an order's creation and its payment (more likely
    // on a loaded machine): the order is still NOTPAY then and its next check is backed off by a
    // minute or two, so the wait covers that step.
    for (const id of orders)
      await eventually(async () => {
        const d = await api.call('GET', `/api/orders/${id}`, { token });
        return d.body.status === 'completed' ? d.body : undefined;
      }, 150_000);
    expect((await api.call('GET', '/api/users/me', { token })).body.credits).toBe(300);
    // The run logs what it did once it has finished with every check it read.
    await eventually(async () => stack.logs.find((l) => l.includes('"sweeper.run"')));
  }, 240_000);
});
