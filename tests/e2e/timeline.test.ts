import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { signGatewayPayload } from '../../src/adapters/payment/gateway/signature';
import { sandboxOpenid } from '../../src/adapters/sandbox/login';
import { SANDBOX_APPID } from '../../src/app/config';
import {
  CALLBACK_SECRET,
  client,
  eventually,
  requestPaymentArgs,
  type Stack,
  sandboxControl,
  startStack,
} from './stack';

interface Item {
  kind: string;
  summary: string;
  detail: Record<string, unknown>;
}

/**
 * The order timeline over real TCP: the API and the sandbox as processes, FerretDB underneath. What
 * an operator reads for a payment whose callback was lost, one delivered normally, a refund and a
 * forged callback.
 */
describe('order timeline end to end', () => {
  let stack: Stack;
  let api: ReturnType<typeof client>;
  let admin: string;
  const sandbox = sandboxControl(() => stack);

  beforeAll(async () => {
    stack = await startStack({
      // Only the requests of the test act on the orders: no sweeper run, no statement run.
      apiEnv: {
        ADMIN_OPENIDS: sandboxOpenid(SANDBOX_APPID, 'tl-admin'),
        RECONCILE_INTERVAL_SECONDS: '0',
        STATEMENT_CHECK_SECONDS: '0',
      },
    });
    api = client(stack.api);
    admin = await api.login('tl-admin');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const ordered = (code: string) => api.placeOrder(code);
  const timeline = async (id: number) => {
    const res = await api.call('GET', `/api/admin/orders/${id}/timeline`, { token: admin });
    expect(res.status).toBe(200);
    return res.body as { status: string; items: Item[]; next_cursor: string | null };
  };
  const story = (items: Item[]) =>
    items.map((i) =>
      i.kind === 'status_changed'
        ? `status:${i.detail.status}`
        : i.kind === 'ledger_entry'
          ? `ledger:${i.detail.type}`
          : i.kind,
    );
  const PAID = ['settlement', 'status:paid', 'ledger:purchase', 'status:completed'];

  it('reads a payment whose callback was lost and that a status query found, from start to end', async () => {
    const o = await ordered('tl-lost');
    await sandbox(`/sandbox/trades/${o.orderNo}/pay?notify=false`);
    const status = await api.call('GET', `/api/orders/payment-status/${o.id}`, { token: o.token });
    expect(status.body.status).toBe('completed');
    const t = await timeline(o.id);
    expect(t.status).toBe('completed');
    expect(story(t.items)).toEqual(['order_created', 'prepay', 'provider_query', ...PAID]);
    expect(t.items[2]?.summary).toContain('SUCCESS');
    expect(t.items[3]?.summary).toContain('支付状态查询');
  });

  it('reads a payment delivered by the callback, then its refund, from start to end', async () => {
    const o = await ordered('tl-refund');
    await sandbox('/sandbox/request-payment', requestPaymentArgs(o.paymentData));
    await eventually(async () =>
      (await api.call('GET', `/api/orders/${o.id}`, { token: o.token })).body.status === 'completed'
        ? true
        : undefined,
    );
    // As WeChat Pay does: the refund is accepted first, its outcome comes later by the refund callback.
    await sandbox('/sandbox/refund-settings', { status: 'PROCESSING' });
    try {
      const refund = await api.call('POST', `/api/admin/orders/${o.id}/refund`, {
        token: admin,
        body: { reason: '用户申请' },
      });
      expect(refund.body).toMatchObject({ status: 'completed', refund_status: 'processing' });
      await sandbox(`/sandbox/refunds/${refund.body.out_refund_no}/succeed`);
    } finally {
      await sandbox('/sandbox/refund-settings', { status: 'SUCCESS' });
    }
    // The callback's record is written once it has been handled: wait for it, not for the status.
    const t = await eventually(async () => {
      const read = await timeline(o.id);
      return read.items.some((i) => i.kind === 'refund_callback') ? read : undefined;
    });
    expect(t.status).toBe('refunded');
    expect(story(t.items)).toEqual([
      'order_created',
      'prepay',
      'callback',
      ...PAID,
      'refund_attempt',
      'ledger:refund',
      'refund_request',
      'refund_processing',
      'refund_callback',
      'refund_outcome',
      'status:refunded',
    ]);
    const callback = t.items[2]!;
    expect(callback.detail).toMatchObject({ outcome: 'accepted', verification: 'passed', http_status: 200 });
    expect(callback.detail.headers).toMatchObject({ 'x-gateway-signature': '[REDACTED]' });
    expect(t.items.find((i) => i.kind === 'refund_callback')?.summary).toContain('已接受（SUCCESS）');
  });

  it('shows a forged callback on the order it names, with the reason it was refused, and nothing changed', async () => {
    const o = await ordered('tl-forged');
    const raw = JSON.stringify({ order_no: o.orderNo, payment_id: 'FORGED', status: 'SUCCESS', amount: 9.9 });
    const res = await fetch(`${stack.api}/api/orders/callback`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-gateway-signature': signGatewayPayload(
          `${CALLBACK_SECRET}-guess`,
          raw,
          Math.floor(Date.now() / 1000),
        ),
      },
      body: raw,
    });
    expect(res.status).toBe(401);
    const t = await timeline(o.id);
    expect(t.status).toBe('pending');
    expect(story(t.items)).toEqual(['order_created', 'prepay', 'callback']);
    expect(t.items[2]?.summary).toContain('签名校验失败');
    expect(t.items[2]?.detail).toMatchObject({
      verification: 'failed',
      claimed_order_no: o.orderNo,
      body: raw,
    });
    expect((await api.call('GET', '/api/users/me', { token: o.token })).body.credits).toBe(0);
  });
});
