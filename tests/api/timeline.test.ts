import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { SIGNATURE_HEADER, signGatewayPayload } from '../../src/adapters/payment/gateway/signature';
import { CALLBACK_SECRET } from '../support/app';
import { type HttpHarness, httpHarness } from './harness';

// The order timeline over HTTP (app.handle), memory storage, the in-process gateway sandbox over TCP.
let h: HttpHarness;
let admin: string;
beforeAll(async () => {
  h = await httpHarness({ adminCodes: ['timeline-boss'] });
  admin = (await h.login('timeline-boss')).token;
});
afterAll(() => h.stop());

interface Item {
  at: string;
  kind: string;
  source: string;
  summary: string;
  detail: Record<string, unknown>;
}

const get = (token: string, path: string) => h.request('GET', path, { token });
const post = (token: string, path: string, body?: unknown) => h.request('POST', path, { token, body });
const timeline = async (ref: number | string, query = '') => {
  const res = await get(admin, `/api/admin/orders/${ref}/timeline${query}`);
  expect(res.status).toBe(200);
  return res.body as {
    order_id: number;
    order_no: string;
    status: string;
    items: Item[];
    next_cursor: string | null;
  };
};
/** Kinds, with the status a status change reached and the sign of a ledger entry: the story in one line. */
const story = (items: Item[]) =>
  items.map((i) =>
    i.kind === 'status_changed'
      ? `status:${i.detail.status}`
      : i.kind === 'ledger_entry'
        ? `ledger:${i.detail.type}${Number(i.detail.amount) >= 0 ? '+' : '-'}`
        : i.kind,
  );

async function pendingOrder(token: string) {
  const created = await post(token, '/api/orders/create', { product_id: 1 });
  const { order_id: id, order_no: no } = created.body;
  expect((await post(token, `/api/orders/pay/${id}`)).status).toBe(200);
  return { id: id as number, no: no as string };
}

/** Paid at the provider, the callback lost; the client's status query finds and settles it. */
async function paidThroughLostCallback(token: string) {
  const o = await pendingOrder(token);
  await fetch(`${h.sandbox.url}/sandbox/trades/${o.no}/pay?notify=false`, { method: 'POST' });
  expect((await get(token, `/api/orders/payment-status/${o.id}`)).body.status).toBe('completed');
  return o;
}

const callback = (raw: string, signature: string) =>
  h.request('POST', '/api/orders/callback', { raw, headers: { [SIGNATURE_HEADER]: signature } });

describe('GET /api/admin/orders/{id}/timeline', () => {
  it('tells a payment whose callback was lost and that a status query found, from start to end', async () => {
    const u = await h.login('timeline-lost');
    const o = await paidThroughLostCallback(u.token);
    const t = await timeline(o.id);
    expect(t).toMatchObject({ order_id: o.id, order_no: o.no, status: 'completed', next_cursor: null });
    expect(story(t.items)).toEqual([
      'order_created',
      'prepay',
      'provider_query',
      'settlement',
      'status:paid',
      'ledger:purchase+',
      'status:completed',
    ]);
    const [, prepay, query, settlement] = t.items as [Item, Item, Item, Item];
    expect(prepay.summary).toStartWith('发起预支付：成功');
    expect(prepay.detail).toMatchObject({ outcome: 'ok', action: 'createPayment' });
    // The payment parameters are kept, their signature is not; the payer's openid never is.
    expect(JSON.stringify(prepay.detail)).toContain('"paySign":"[REDACTED]"');
    expect(JSON.stringify(t)).not.toContain(u.user.openid);
    expect(query.summary).toContain('SUCCESS');
    expect(settlement.summary).toContain('支付状态查询');
    // By order number too.
    expect(story((await timeline(o.no)).items)).toEqual(story(t.items));
  });

  it('tells a refunded order from start to end', async () => {
    const u = await h.login('timeline-refund');
    const o = await paidThroughLostCallback(u.token);
    expect((await post(admin, `/api/admin/orders/${o.id}/refund`, { reason: '用户申请' })).status).toBe(200);
    const t = await timeline(o.id);
    expect(t.status).toBe('refunded');
    expect(story(t.items)).toEqual([
      'order_created',
      'prepay',
      'provider_query',
      'settlement',
      'status:paid',
      'ledger:purchase+',
      'status:completed',
      'refund_attempt',
      'ledger:refund-',
      'refund_request',
      'refund_outcome',
      'status:refunded',
    ]);
    const outcome = t.items.find((i) => i.kind === 'refund_outcome');
    expect(outcome?.summary).toStartWith('退款成功');
  });

  it('tells a signed callback with a bad body from a forged one', async () => {
    const u = await h.login('timeline-bad-body');
    const o = await pendingOrder(u.token);
    const raw = JSON.stringify({ order_no: o.no });
    const now = Math.floor(Date.now() / 1000);
    expect((await callback(raw, signGatewayPayload(CALLBACK_SECRET, raw, now))).status).toBe(400);
    const t = await timeline(o.id);
    const [bad] = t.items.filter((i) => i.kind === 'callback') as [Item];
    expect(bad.summary).toContain('签名有效但内容无效，未做任何改动');
    expect(bad.summary).not.toContain('未通过验签');
    expect(bad.detail).toMatchObject({ outcome: 'rejected', verification: 'body_invalid', http_status: 400 });
  });

  it('shows a forged callback on the order it targets, with why it was refused; nothing changed', async () => {
    const u = await h.login('timeline-forged');
    const o = await pendingOrder(u.token);
    const raw = JSON.stringify({ order_no: o.no, payment_id: 'FORGED', status: 'SUCCESS', amount: 9.9 });
    const now = Math.floor(Date.now() / 1000);
    expect((await callback(raw, signGatewayPayload('not-the-secret', raw, now))).status).toBe(401);
    // A replay of a genuinely signed body, too old to be believed.
    expect((await callback(raw, signGatewayPayload(CALLBACK_SECRET, raw, now - 3600))).status).toBe(401);
    const t = await timeline(o.id);
    expect(t.status).toBe('pending');
    expect(story(t.items)).toEqual(['order_created', 'prepay', 'callback', 'callback']);
    const [forged, replayed] = t.items.filter((i) => i.kind === 'callback') as [Item, Item];
    expect(forged.summary).toContain('签名校验失败');
    expect(forged.summary).toContain('未做任何改动');
    expect(forged.detail).toMatchObject({
      outcome: 'rejected',
      verification: 'failed',
      claimed_order_no: o.no,
      http_status: 401,
      headers: { [SIGNATURE_HEADER.toLowerCase()]: '[REDACTED]' },
    });
    expect(forged.detail.body).toBe(raw);
    expect(replayed.summary).toContain('疑似重放');
    expect(replayed.detail.signature_timestamp).toBe(now - 3600);
    // The HMAC never reaches the record.
    expect(JSON.stringify(t)).not.toMatch(/v1=[0-9a-f]{16}/);
    expect((await get(u.token, `/api/orders/${o.id}`)).body.status).toBe('pending');
    expect((await get(u.token, '/api/users/me')).body.credits).toBe(0);
  });

  it('files a refused callback for no known order under its day, where an operator can list it', async () => {
    const raw = JSON.stringify({
      order_no: 'P20990101000000zzzzzzzz',
      payment_id: 'X',
      status: 'SUCCESS',
      amount: 9.9,
    });
    const res = await callback(raw, signGatewayPayload(CALLBACK_SECRET, raw, Math.floor(Date.now() / 1000)));
    expect(res.status).toBe(400);
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    const list = await get(admin, `/api/admin/payment-events/unmatched?date=${day}`);
    expect(list.status).toBe(200);
    const mine = (list.body.items as Item[]).filter(
      (i) => i.detail.unknown_order_no === 'P20990101000000zzzzzzzz',
    );
    expect(mine).toHaveLength(1);
    expect(mine[0]?.summary).toContain('订单不存在');
    expect(mine[0]?.detail).toMatchObject({ verification: 'passed', outcome: 'rejected' });
  });

  it('pages from the newest back, every item exactly once', async () => {
    const u = await h.login('timeline-pages');
    const o = await paidThroughLostCallback(u.token);
    const whole = (await timeline(o.id)).items;
    const pages: Item[][] = [];
    let cursor: string | null = null;
    do {
      const page = await timeline(o.id, `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      pages.push(page.items);
      cursor = page.next_cursor;
    } while (cursor && pages.length < 10);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 2, 1]);
    expect(pages.reverse().flat()).toEqual(whole);
  });

  it('answers 400 for a bad cursor or limit, 404 for an unknown order, and is for admins only', async () => {
    const u = await h.login('timeline-guard');
    const o = await pendingOrder(u.token);
    expect((await get(admin, `/api/admin/orders/${o.id}/timeline?cursor=nope`)).status).toBe(400);
    expect((await get(admin, `/api/admin/orders/${o.id}/timeline?limit=0`)).status).toBe(400);
    expect((await get(admin, `/api/admin/orders/${o.id}/timeline?limit=501`)).status).toBe(400);
    expect((await get(admin, '/api/admin/orders/abc/timeline')).status).toBe(400);
    expect((await get(admin, '/api/admin/orders/999999/timeline')).status).toBe(404);
    expect((await get(u.token, `/api/admin/orders/${o.id}/timeline`)).status).toBe(403);
    expect((await h.request('GET', `/api/admin/orders/${o.id}/timeline`)).status).toBe(401);
  });
});
