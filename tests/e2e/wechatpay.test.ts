import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEnvFile } from '../../scripts/wechatpay-sim';
import { SIGNATURE_HEADER, signGatewayPayload } from '../../src/adapters/payment/gateway/signature';
import { sandboxOpenid } from '../../src/adapters/sandbox/login';
import { ensureIdentity } from '../../src/adapters/sandbox/v3/keys';
import { SANDBOX_APPID } from '../../src/app/config';
import { readStore } from './ledger-db';
import { CALLBACK_SECRET, client, eventually, requestPaymentArgs, type Stack, startStack } from './stack';

type Api = ReturnType<typeof client>;

/** PAYMENT_PROVIDER=wechatpay against the v3 simulator in the sandbox process, sharing one merchant identity. */
describe('PAYMENT_PROVIDER=wechatpay end to end (API + v3 simulator + FerretDB)', () => {
  let stack: Stack;
  let dir: string;
  let api: Api;
  const sim = (path: string, body?: unknown) =>
    fetch(`${stack.sandbox}${path}`, {
      method: body === undefined && !path.includes('/pay') ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const faults = (f: unknown) => sim('/v3sim/faults', f);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wxsim-'));
    ensureIdentity(dir);
    const env = readEnvFile(join(dir, 'wechatpay.env'));
    // A short client deadline so the timeout fault below costs one second, not ten.
    stack = await startStack({
      apiEnv: {
        ...env,
        WECHATPAY_TIMEOUT_MS: '1000',
        ADMIN_OPENIDS: sandboxOpenid(SANDBOX_APPID, 'wx-admin'),
        // The fault tests ask about one order several times in a row, each time expecting WeChat's answer.
        PAYMENT_STATUS_QUERY_SECONDS: '0',
      },
      sandboxEnv: { WECHATPAY_SIM_DIR: dir },
    });
    api = client(stack.api);
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function orderFor(code: string, productId = 1) {
    const token = await api.login(code);
    const userId = (await api.call('GET', '/api/users/me', { token })).body.id as number;
    const created = await api.call('POST', '/api/orders/create', { token, body: { product_id: productId } });
    const pay = await api.call('POST', `/api/orders/pay/${created.body.order_id}`, { token });
    expect(pay.status).toBe(200);
    return {
      token,
      userId,
      id: created.body.order_id as number,
      orderNo: created.body.order_no as string,
      pay,
    };
  }
  const detailStatus = async (o: { token: string; id: number }) =>
    (await api.call('GET', `/api/orders/${o.id}`, { token: o.token })).body.status as string;

  it('login → create → pay → requestPayment → encrypted notification → completed, credits granted', async () => {
    const o = await orderFor('wx-alice', 2);
    expect(o.pay.body.payment_data).toMatchObject({ signType: 'RSA', outTradeNo: o.orderNo });
    const paid = await sim('/v3sim/request-payment', requestPaymentArgs(o.pay.body.payment_data));
    expect(paid.status).toBe(200);
    await eventually(async () => ((await detailStatus(o)) === 'completed' ? true : undefined));
    expect((await api.call('GET', '/api/users/me', { token: o.token })).body.credits).toBe(500);
    expect((await readStore(stack.mongoUri, o.userId)).keys).toEqual([`purchase:${o.id}`]);
  });

  it('puts the encrypted notification on the order timeline, its signature and ciphertext redacted', async () => {
    const admin = await api.login('wx-admin');
    const o = await orderFor('wx-timeline');
    await sim('/v3sim/request-payment', requestPaymentArgs(o.pay.body.payment_data));
    // The notification's record is written once it has been handled: wait for it, not for the status.
    const items = await eventually(async () => {
      const t = await api.call('GET', `/api/admin/orders/${o.id}/timeline`, { token: admin });
      const read = t.body.items as { kind: string; detail: Record<string, unknown> }[];
      return read.some((i) => i.kind === 'callback') ? read : undefined;
    });
    expect(items.map((i) => i.kind)).toEqual([
      'order_created',
      'prepay',
      'callback',
      'settlement',
      'status_changed',
      'ledger_entry',
      'status_changed',
    ]);
    const notify = items[2]!.detail;
    expect(notify).toMatchObject({
      action: 'notify',
      outcome: 'accepted',
      verification: 'passed',
      http_status: 204,
    });
    expect(notify.headers).toMatchObject({ 'wechatpay-signature': '[REDACTED]' });
    expect(JSON.parse(notify.body as string).resource.ciphertext).toBe('[REDACTED]');
    expect(JSON.stringify(items)).not.toContain(o.pay.body.payment_data.paySign);
  });

  it('has no gateway callback route in this mode: a signed gateway callback gets 404 and grants nothing', async () => {
    const o = await orderFor('wx-no-gateway');
    const raw = JSON.stringify({
      order_no: o.orderNo,
      payment_id: '4200000000000000000000000001',
      status: 'SUCCESS',
      amount: 9.9,
    });
    const res = await fetch(`${stack.api}/api/orders/callback`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: signGatewayPayload(CALLBACK_SECRET, raw, Math.floor(Date.now() / 1000)),
      },
      body: raw,
    });
    expect(res.status).toBe(404);
    expect(await detailStatus(o)).toBe('pending');
  });

  it('re-paying reuses the prepay with a fresh signature', async () => {
    const o = await orderFor('wx-repay');
    const again = await api.call('POST', `/api/orders/pay/${o.id}`, { token: o.token });
    expect(again.body.payment_data.packageValue).toBe(o.pay.body.payment_data.packageValue);
    expect(again.body.payment_data.nonceStr).not.toBe(o.pay.body.payment_data.nonceStr);
  });

  for (const [name, fault] of [
    ['a SIGNTEST probe', { signtest: true }],
    ['a tampered ciphertext', { tamper: true }],
    ['a wrong serial', { wrongSerial: true }],
    ['a skewed timestamp', { skewSeconds: -400 }],
  ] as const) {
    it(`never grants on ${name}, answers it non-2xx, and grants once the real notification arrives`, async () => {
      const o = await orderFor(`wx-fault-${name.replaceAll(' ', '-')}`);
      await faults({ notify: fault });
      await sim('/v3sim/request-payment', requestPaymentArgs(o.pay.body.payment_data));
      const rejected = await eventually(async () => {
        const all = (await (await sim('/v3sim/deliveries')).json()) as {
          outTradeNo: string;
          status: number | null;
        }[];
        const mine = all.filter((d) => d.outTradeNo === o.orderNo);
        return mine.length >= 2 ? mine : undefined;
      });
      expect(rejected.every((d) => d.status !== null && d.status >= 400)).toBe(true);
      expect(await detailStatus(o)).toBe('pending');
      expect((await readStore(stack.mongoUri, o.userId)).keys).toEqual([]);
      await faults({});
      await eventually(async () => ((await detailStatus(o)) === 'completed' ? true : undefined), 15_000);
      expect((await readStore(stack.mongoUri, o.userId)).keys).toEqual([`purchase:${o.id}`]);
    });
  }

  it('grants exactly once under duplicate, concurrent and repeated deliveries', async () => {
    const o = await orderFor('wx-dups');
    await faults({ notify: { duplicates: 9, redeliverAfterMs: 50 } });
    await sim('/v3sim/request-payment', requestPaymentArgs(o.pay.body.payment_data));
    await eventually(async () => ((await detailStatus(o)) === 'completed' ? true : undefined));
    await Bun.sleep(300);
    await faults({});
    const store = await readStore(stack.mongoUri, o.userId);
    expect(store.keys).toEqual([`purchase:${o.id}`]);
    expect(store.balance).toBe(100);
  });

  it('recovers a lost notification through payment-status', async () => {
    const o = await orderFor('wx-lost');
    expect((await sim(`/v3sim/trades/${o.orderNo}/pay?notify=false`, {})).status).toBe(200);
    const status = await api.call('GET', `/api/orders/payment-status/${o.id}`, { token: o.token });
    expect(status.body).toMatchObject({ status: 'completed', paid: true });
    expect((await api.call('GET', '/api/users/me', { token: o.token })).body.credits).toBe(100);
  });

  it('refunds through WeChat Pay v3: PROCESSING first, then REFUND.SUCCESS; credits taken back once', async () => {
    const o = await orderFor('wx-refund', 2);
    await sim('/v3sim/request-payment', requestPaymentArgs(o.pay.body.payment_data));
    await eventually(async () => ((await detailStatus(o)) === 'completed' ? true : undefined));
    const admin = await api.login('wx-admin');
    const refund = () =>
      api.call('POST', `/api/admin/orders/${o.id}/refund`, { token: admin, body: { reason: '用户申请' } });
    await faults({ refund: { outcome: 'PROCESSING' } }); // WeChat accepts first and finishes later
    const [first, second] = await Promise.all([refund(), refund()]);
    expect(first.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(first.body).toMatchObject({
      status: 'completed',
      refund_status: 'processing',
      refund_amount: 39.9,
      credits_deducted: 500,
    });
    const trade = (await (await sim(`/v3sim/trades/${o.orderNo}`)).json()) as { trade_state?: string };
    expect(trade.trade_state).toBe('REFUND');
    await sim(`/v3sim/refunds/${first.body.out_refund_no}/succeed`, {});
    await eventually(async () => ((await detailStatus(o)) === 'refunded' ? true : undefined));
    await faults({});
    const store = await readStore(stack.mongoUri, o.userId);
    expect(store.keys).toEqual([`purchase:${o.id}`, `refund:${o.id}`]);
    expect(store.balance).toBe(0);
  });

  it('treats a 5xx, 429, timeout or unverifiable answer from WeChat as unknown: 502 and nothing changes', async () => {
    const o = await orderFor('wx-5xx');
    await sim(`/v3sim/trades/${o.orderNo}/pay?notify=false`, {});
    for (const kind of ['500', '429', 'timeout', 'bad_signature']) {
      await faults({ http: [{ endpoint: 'query', kind, times: 1, holdMs: 1500 }] });
      const status = await api.call('GET', `/api/orders/payment-status/${o.id}`, { token: o.token });
      expect(status.status).toBe(502);
      expect(await detailStatus(o)).toBe('pending');
    }
    await faults({});
    const status = await api.call('GET', `/api/orders/payment-status/${o.id}`, { token: o.token });
    expect(status.body).toMatchObject({ status: 'completed', paid: true });
  });
});
