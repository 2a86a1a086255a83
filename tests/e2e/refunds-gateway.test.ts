import { afterAll, afterEach, beforeAll, describe, expect, it } from 'bun:test';
import { sandboxOpenid } from '../../src/adapters/sandbox/login';
import { SANDBOX_APPID } from '../../src/app/config';
import { readRefundAttempts, readStore } from './ledger-db';
import { client, eventually, requestPaymentArgs, type Stack, sandboxControl, startStack } from './stack';

/** Refunds through the gateway contract: API + sandbox gateway (signed refund callbacks) + FerretDB. */
describe('refunds through the payment gateway end to end', () => {
  let stack: Stack;
  let api: ReturnType<typeof client>;
  let admin: string;
  const sandbox = sandboxControl(() => stack);
  const trade = async (no: string) => (await fetch(`${stack.sandbox}/sandbox/trades/${no}`)).json();

  beforeAll(async () => {
    stack = await startStack({ apiEnv: { ADMIN_OPENIDS: sandboxOpenid(SANDBOX_APPID, 'gw-admin') } });
    api = client(stack.api);
    admin = await api.login('gw-admin');
  });
  afterAll(async () => {
    await stack?.stop();
  });
  afterEach(async () => {
    await sandbox('/sandbox/refund-settings', { status: 'SUCCESS', drop_answers: 0 });
  });

  async function completedOrder(code: string) {
    const { token, id, orderNo, paymentData } = await api.placeOrder(code);
    const userId = (await api.call('GET', '/api/users/me', { token })).body.id as number;
    await sandbox('/sandbox/request-payment', requestPaymentArgs(paymentData));
    await eventually(async () => ((await status(token, id)) === 'completed' ? true : undefined));
    return { token, userId, id, orderNo };
  }
  const status = (token: string, id: number) => api.status(token, id);
  const refund = (id: number, body: unknown = {}) =>
    api.call('POST', `/api/admin/orders/${id}/refund`, { token: admin, body });

  it('a retry after the gateway refunded but lost its answer continues with the same refund number', async () => {
    const o = await completedOrder('gw-refund-lost');
    await sandbox('/sandbox/refund-settings', { drop_answers: 1 });
    expect((await refund(o.id)).status).toBe(502);
    const retried = await refund(o.id);
    expect(retried.body).toMatchObject({
      status: 'refunded',
      refund_status: 'succeeded',
      credits_deducted: 100,
    });
    expect(await trade(o.orderNo)).toMatchObject({ trade_state: 'REFUND', refunded_fen: 990 });
    expect(await readRefundAttempts(stack.mongoUri, o.id)).toHaveLength(1);
  });

  it('PROCESSING → SUCCESS by the signed refund callback', async () => {
    const o = await completedOrder('gw-refund-callback');
    await sandbox('/sandbox/refund-settings', { status: 'PROCESSING' });
    const started = await refund(o.id);
    expect(started.body).toMatchObject({ status: 'completed', refund_status: 'processing' });
    await sandbox(`/sandbox/refunds/${started.body.out_refund_no}/succeed`);
    await eventually(async () => ((await status(o.token, o.id)) === 'refunded' ? true : undefined));
    // The delivery is logged once its answer is read, which may be just after the order changed.
    const answered = await eventually(async () => {
      const url = `${stack.sandbox}/sandbox/deliveries?order_no=${o.orderNo}`;
      const all = (await (await fetch(url)).json()) as { out_refund_no?: string; http_status: number }[];
      const refunds = all.filter((d) => d.out_refund_no === started.body.out_refund_no);
      return refunds.length > 0 ? refunds.map((d) => d.http_status) : undefined;
    });
    expect(answered).toEqual([200]);
  });

  it('PROCESSING → CLOSED by the callback: credits back once; the operator retry succeeds', async () => {
    const o = await completedOrder('gw-refund-closed');
    await sandbox('/sandbox/refund-settings', { status: 'PROCESSING' });
    const first = await refund(o.id);
    await sandbox(`/sandbox/refunds/${first.body.out_refund_no}/close`);
    await sandbox(`/sandbox/refunds/${first.body.out_refund_no}/close`); // a second delivery
    await eventually(async () =>
      (await readStore(stack.mongoUri, o.userId)).balance === 100 ? true : undefined,
    );
    await sandbox('/sandbox/refund-settings', { status: 'SUCCESS' });
    const retry = await refund(o.id, { retry_of: first.body.out_refund_no });
    expect(retry.body).toMatchObject({ status: 'refunded', refund_status: 'succeeded', attempt: 2 });
    const store = await readStore(stack.mongoUri, o.userId);
    expect(store.keys).toEqual([
      `purchase:${o.id}`,
      `refund:${o.id}`,
      `refund-reversal:${first.body.out_refund_no}`,
      `refund:${o.id}:2`,
    ]);
    expect(store.balance).toBe(0);
  });
});
