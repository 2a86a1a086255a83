import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { readStore } from './ledger-db';
import { client, eventually, requestPaymentArgs, type Stack, startStack } from './stack';

/**
 * FAULT_CRASH_AFTER_SETTLEMENT=1 makes the API SIGKILL itself right after the settlement record is
 * written and before the ledger grant: the worst moment. A restarted API must finish the order once.
 */
describe('crash between settlement and grant (SIGKILL, restart)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('the next payment-status query after a restart completes the order exactly once', async () => {
    const api = client(stack.api);
    const token = await api.login('crash-status');
    const userId = (await api.call('GET', '/api/users/me', { token })).body.id;
    const created = await api.call('POST', '/api/orders/create', { token, body: { product_id: 1 } });
    await api.call('POST', `/api/orders/pay/${created.body.order_id}`, { token });
    await fetch(`${stack.sandbox}/sandbox/trades/${created.body.order_no}/pay?notify=false`, {
      method: 'POST',
    });

    await stack.restartApi({ FAULT_CRASH_AFTER_SETTLEMENT: '1' });
    const crashed = await api
      .call('GET', `/api/orders/payment-status/${created.body.order_id}`, { token })
      .catch((e) => e);
    expect(crashed).toBeInstanceOf(Error);
    await stack.apiProc.exited;
    expect(stack.apiProc.signalCode).toBe('SIGKILL');

    const torn = await readStore(stack.mongoUri, userId);
    expect(torn.settlements.map((s) => s._id)).toContain(created.body.order_id);
    expect(torn.keys).toEqual([]);

    await stack.restartApi();
    const status = await api.call('GET', `/api/orders/payment-status/${created.body.order_id}`, { token });
    expect(status.body).toMatchObject({ status: 'completed', paid: true });
    await api.call('GET', `/api/orders/payment-status/${created.body.order_id}`, { token });
    const healed = await readStore(stack.mongoUri, userId);
    expect(healed.keys).toEqual([`purchase:${created.body.order_id}`]);
    expect(healed.balance).toBe(100);
  });

  it("the gateway's retried callback after a restart completes the order exactly once", async () => {
    const api = client(stack.api);
    const token = await api.login('crash-callback');
    const userId = (await api.call('GET', '/api/users/me', { token })).body.id;
    const created = await api.call('POST', '/api/orders/create', { token, body: { product_id: 2 } });
    const pay = await api.call('POST', `/api/orders/pay/${created.body.order_id}`, { token });

    await stack.restartApi({ FAULT_CRASH_AFTER_SETTLEMENT: '1' });
    const apiBeforeCrash = stack.apiProc;
    await fetch(`${stack.sandbox}/sandbox/request-payment`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(requestPaymentArgs(pay.body.payment_data)),
    });
    await apiBeforeCrash.exited;
    expect(apiBeforeCrash.signalCode).toBe('SIGKILL');
    expect((await readStore(stack.mongoUri, userId)).keys).toEqual([]);

    await stack.restartApi();
    // No query from us: only the sandbox's back-off retries reach the restarted API.
    const healed = await eventually(async () => {
      const s = await readStore(stack.mongoUri, userId);
      return s.keys.length > 0 ? s : undefined;
    }, 20_000);
    expect(healed.keys).toEqual([`purchase:${created.body.order_id}`]);
    expect(healed.balance).toBe(500);
    const detail = await eventually(async () => {
      const d = await api.call('GET', `/api/orders/${created.body.order_id}`, { token });
      return d.body.status === 'completed' ? d.body : undefined;
    });
    expect(detail.status).toBe('completed');
  });
});
