import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { SIGNATURE_HEADER, signGatewayPayload } from '../../src/adapters/payment/gateway/signature';
import { sandboxOpenid } from '../../src/adapters/sandbox/login';
import { SANDBOX_APPID } from '../../src/app/config';
import { CALLBACK_SECRET, client, eventually, requestPaymentArgs, type Stack, startStack } from './stack';

const ROBOT_KEY = 'e2e-robot-key-5d1f0c2a-93b7';

/**
 * Alerts over the real processes: API + sandbox + FerretDB, with a stand-in WeCom robot on a real
 * local port. The same order paid twice becomes exactly one robot message, however often the
 * provider delivers that second payment.
 */
describe('alerts end to end', () => {
  let stack: Stack;
  let api: ReturnType<typeof client>;
  let admin: string;
  const messages: { key: string | null; content: string }[] = [];
  const robot = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      const body = (await req.json()) as { msgtype: string; markdown: { content: string } };
      messages.push({ key: new URL(req.url).searchParams.get('key'), content: body.markdown.content });
      return Response.json({ errcode: 0, errmsg: 'ok' });
    },
  });

  beforeAll(async () => {
    stack = await startStack({
      apiEnv: {
        ADMIN_OPENIDS: sandboxOpenid(SANDBOX_APPID, 'alert-admin'),
        ALERT_WEBHOOK_URL: `http://127.0.0.1:${robot.port}/cgi-bin/webhook/send?key=${ROBOT_KEY}`,
        ALERT_WEBHOOK_FORMAT: 'wecom',
        // Only the raise itself delivers here: no periodic look that could add messages of its own.
        ALERT_CHECK_SECONDS: '0',
        RECONCILE_INTERVAL_SECONDS: '0',
        STATEMENT_CHECK_SECONDS: '0',
      },
    });
    api = client(stack.api);
    admin = await api.login('alert-admin');
  });
  afterAll(async () => {
    await stack?.stop();
    robot.stop(true);
  });

  const metric = async (line: string) => {
    const text = await (await fetch(`${stack.api}/metrics`)).text();
    return text.split('\n').find((l) => l.startsWith(line));
  };

  it('a second payment of one order sends exactly one robot message', async () => {
    const token = await api.login('alert-payer');
    const created = await api.call('POST', '/api/orders/create', { token, body: { product_id: 1 } });
    const id = created.body.order_id as number;
    const orderNo = created.body.order_no as string;
    const pay = await api.call('POST', `/api/orders/pay/${id}`, { token });
    await fetch(`${stack.sandbox}/sandbox/request-payment`, {
      method: 'POST',
      body: JSON.stringify(requestPaymentArgs(pay.body.payment_data)),
    });
    await eventually(async () =>
      (await api.call('GET', `/api/orders/${id}`, { token })).body.status === 'completed' ? true : undefined,
    );
    expect(messages).toEqual([]);

    const second = (await (
      await fetch(`${stack.sandbox}/sandbox/trades/${orderNo}/second-payment`, { method: 'POST' })
    ).json()) as { second_transaction_id: string; transaction_id: string };
    expect(second.second_transaction_id).not.toBe(second.transaction_id);
    await eventually(async () => (messages.length > 0 ? true : undefined));
    expect(messages[0]?.key).toBe(ROBOT_KEY);
    expect(messages[0]?.content).toContain(`订单 ${orderNo} 重复支付`);
    expect(messages[0]?.content).toContain(second.second_transaction_id);

    // The provider delivers that second payment again: recognised as the same alert, nothing sent.
    const raw = JSON.stringify({
      order_no: orderNo,
      payment_id: second.second_transaction_id,
      status: 'SUCCESS',
      amount: 9.9,
    });
    const redelivered = await fetch(`${stack.api}/api/orders/callback`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: signGatewayPayload(CALLBACK_SECRET, raw, Math.floor(Date.now() / 1000)),
      },
      body: raw,
    });
    expect(redelivered.status).toBe(200);
    await eventually(async () =>
      (await metric('alerts_deduplicated_total{kind="second_payment"} 1')) ? true : undefined,
    );
    expect(await metric('alerts_sent_total{kind="second_payment"}')).toBe(
      'alerts_sent_total{kind="second_payment"} 1',
    );
    expect(messages).toHaveLength(1);
    expect((await api.call('GET', `/api/users/me`, { token })).body.credits).toBe(100);

    const listed = await api.call('GET', '/api/admin/alerts', { token: admin });
    expect(listed.status).toBe(200);
    expect(listed.body).toHaveLength(1);
    expect(listed.body[0]).toMatchObject({
      kind: 'second_payment',
      key: `${id}:${second.second_transaction_id}`,
      state: 'sent',
      attempts: 1,
    });
    // The robot's key is in no log line of either process.
    expect(stack.logs.some((l) => l.includes(ROBOT_KEY))).toBe(false);

    // The operator refunds the second payment by hand and closes the review (the audit then passes).
    const resolved = await api.call('POST', `/api/admin/reviews/${id}:second_payment/resolve`, {
      token: admin,
      body: { note: '已在商户平台退还第二笔' },
    });
    expect(resolved.status).toBe(200);
  });

  it('one transaction reported for three orders at once settles one of them; the others page a human', async () => {
    const sent = messages.length;
    const buyers = await Promise.all(['reuse-a', 'reuse-b', 'reuse-c'].map((code) => api.login(code)));
    const orders = await Promise.all(
      buyers.map(async (token) => {
        const created = await api.call('POST', '/api/orders/create', { token, body: { product_id: 1 } });
        return { token, id: created.body.order_id as number, orderNo: created.body.order_no as string };
      }),
    );
    const paymentId = '4200000000000000000000000777';
    const callback = (orderNo: string) => {
      const raw = JSON.stringify({
        order_no: orderNo,
        payment_id: paymentId,
        status: 'SUCCESS',
        amount: 9.9,
      });
      return fetch(`${stack.api}/api/orders/callback`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signGatewayPayload(CALLBACK_SECRET, raw, Math.floor(Date.now() / 1000)),
        },
        body: raw,
      });
    };
    const answers = await Promise.all(orders.map((o) => callback(o.orderNo)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409]);

    const statuses = await Promise.all(
      orders.map(async (o) => (await api.call('GET', `/api/orders/${o.id}`, { token: o.token })).body.status),
    );
    expect(statuses.filter((s) => s === 'completed')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'pending')).toHaveLength(2);
    const credits = await Promise.all(
      orders.map(
        async (o) => (await api.call('GET', '/api/users/me', { token: o.token })).body.credits as number,
      ),
    );
    expect(credits.reduce((a, b) => a + b, 0)).toBe(100);

    await eventually(async () => (messages.length >= sent + 2 ? true : undefined));
    const paged = messages.slice(sent);
    expect(paged).toHaveLength(2);
    for (const m of paged) expect(m.content).toContain(`交易 ${paymentId} 被用于第二个订单`);
    const holder = orders[statuses.indexOf('completed')]!;
    const pending = orders.filter((o) => o !== holder);
    // The provider never saw those two paid: their status query asks it and still says unpaid.
    const asked = await api.call('GET', `/api/orders/payment-status/${pending[0]!.id}`, {
      token: pending[0]!.token,
    });
    expect(asked.body).toMatchObject({ status: 'pending', paid: false });

    const open = await api.call('GET', '/api/admin/reviews?open=true', { token: admin });
    expect(
      (open.body as { id: string; reason: string }[])
        .filter((r) => r.reason === 'payment_reused')
        .map((r) => r.id)
        .sort(),
    ).toEqual(pending.map((o) => `${o.id}:payment_reused`).sort());
    for (const o of pending) {
      const resolved = await api.call('POST', `/api/admin/reviews/${o.id}:payment_reused/resolve`, {
        token: admin,
        body: { note: `交易 ${paymentId} 属于订单 ${holder.id}` },
      });
      expect(resolved.status).toBe(200);
    }
  });
});
