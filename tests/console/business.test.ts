// The business pages through app.handle: who may see and do what, what is refused and changes
// nothing, what each change writes to the operator audit log, and the CSV downloads.
import { describe, expect, it } from 'bun:test';
import { FixedClock } from '../../src/adapters/system/clock';
import { auditRunner } from '../../src/app/http/audit-runner';
import type { AppDeps } from '../../src/app/http/context';
import { createApp } from '../../src/app/http/create-app';
import type { OperatorRole } from '../../src/domain/operators/operator';
import type { AlertOutbox } from '../../src/domain/ports';
import { ok } from '../../src/domain/result';
import { recordAlert } from '../../src/domain/usecases/alerts';
import { appendEntry } from '../../src/domain/usecases/ledger';
import { settleOrder } from '../../src/domain/usecases/settle';
import { anOrder } from '../support/builders';
import { scriptedPayments } from '../support/domain-deps';
import { consoleApp, createOperator, Jar } from './harness';

const PW = 'correct horse battery';

/** The orders store with each scan held at a gate until `release()`: an audit run stays in progress. */
function gatedOrders(deps: AppDeps) {
  let scans = 0;
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const orders = {
    ...deps.orders,
    scan: async function* (...args: Parameters<typeof deps.orders.scan>) {
      scans++;
      await gate;
      yield* deps.orders.scan(...args);
    },
  } as typeof deps.orders;
  return { orders, scans: () => scans, release: () => release() };
}

async function setup() {
  const clock = new FixedClock(new Date('2026-11-27T02:00:00Z'));
  const base = consoleApp({ clock });
  const provider = scriptedPayments();
  const deps: AppDeps = { ...base.deps, payments: provider.payments };
  const app = createApp(deps);
  for (const role of ['viewer', 'operator', 'admin'] as const) await createOperator(deps, role, role, PW);
  const { user } = await deps.users.ensure('openid-shopper', clock.now());
  const created = await deps.orders.create(anOrder({ userId: user.id, createdAt: clock.now() }));
  const settled = await settleOrder(deps)(created, {
    paymentId: '4200000001',
    amountFen: 990,
    paidAt: clock.now(),
    source: 'callback',
  });
  if (!settled.ok) throw new Error('settle failed');
  const as = async (role: OperatorRole) => {
    const jar = new Jar(app);
    expect((await jar.login(role, PW)).status).toBe(303);
    return jar;
  };
  const audit = async () =>
    (await deps.operatorAudit.listDay({ day: '2026-11-27' }, { skip: 0, limit: 100 })).entries;
  return { deps, app, clock, provider, user, order: settled.value, as, audit };
}

/** The CSRF token of the first form on `path` (every console form carries the session's token). */
const csrf = (jar: Jar, path: string) => jar.csrfOf(path);

/** The refund confirm page's CSRF token and quote stamp, as the operator's browser would post them. */
async function refundForm(operator: Jar, orderId: number) {
  const page = await (await operator.fetch(`/admin/orders/${orderId}/refund`)).text();
  return {
    token: /name="_csrf" value="([^"]+)"/.exec(page)![1]!,
    quote: /name="quote" value="([^"]+)"/.exec(page)![1]!,
  };
}

describe('console: orders', () => {
  it('finds the order by number, user, status, day and amount; refuses a malformed search with 400', async () => {
    const { as, order, user } = await setup();
    const viewer = await as('viewer');
    for (const q of [
      `order_no=${order.orderNo}`,
      `user_id=${user.id}`,
      // The openid a complaint quotes finds the user's orders too.
      'user_id=openid-shopper',
      // So does the transaction number on the user's WeChat payment receipt.
      'order_no=4200000001',
      'status=completed',
      'from=2026-11-27&to=2026-11-27',
      'amount=9.9',
    ]) {
      const page = await (await viewer.fetch(`/admin/orders?${q}`)).text();
      expect(page).toContain(`data-order-id="${order.id}"`);
    }
    for (const q of ['status=refunded', 'from=2026-11-28', 'amount=9.91', 'user_id=999']) {
      const page = await (await viewer.fetch(`/admin/orders?${q}`)).text();
      expect(page).not.toContain(`data-order-id="${order.id}"`);
    }
    for (const q of [
      'from=2026-13-01',
      'amount=9.999',
      'status=lost',
      'user_id=-1',
      'from=2026-11-28&to=2026-11-27',
      'user_id=openid-nobody',
    ])
      expect((await viewer.fetch(`/admin/orders?${q}`)).status).toBe(400);
    expect(await (await viewer.fetch('/admin/orders?user_id=openid-nobody')).text()).toContain(
      '没有 openid 为 openid-nobody 的用户',
    );
    const unknownTx = await viewer.fetch('/admin/orders?order_no=4200999999');
    expect(unknownTx.status).toBe(400);
    expect(await unknownTx.text()).toContain('没有订单号或交易号为 4200999999 的已支付订单');
    // A malformed id is still called one; the other fields' errors are said beside the openid's.
    expect(await (await viewer.fetch('/admin/orders?user_id=-1')).text()).toContain('用户 ID 须为正整数');
    const both = await (await viewer.fetch('/admin/orders?user_id=openid-nobody&amount=9.999')).text();
    expect(both).toContain('没有 openid 为 openid-nobody 的用户');
    expect(both).toContain('金额单位为元');
  });

  it('shows the refund quote to an operator and refuses the viewer the confirm page and the POST', async () => {
    const { as, order, deps } = await setup();
    const viewer = await as('viewer');
    expect((await viewer.fetch(`/admin/orders/${order.id}/refund`)).status).toBe(403);
    const token = await csrf(viewer, `/admin/orders/${order.id}`);
    const refused = await viewer.post(`/admin/orders/${order.id}/refund`, { _csrf: token, reason: 'x' });
    expect(refused.status).toBe(403);
    expect(await deps.refunds.attempts(order.id)).toEqual([]);
    const operator = await as('operator');
    const confirm = await (await operator.fetch(`/admin/orders/${order.id}/refund`)).text();
    expect(confirm).toContain('data-testid="quote-amount">¥9.90');
    expect(confirm).toContain('data-testid="quote-credits">100<');
    expect(confirm).toContain('data-testid="quote-balance">100<');
  });

  it('says why a refund ended without the money moving, on the page the operator lands on', async () => {
    const { as, order, provider } = await setup();
    provider.setRefundStatus('CLOSED');
    const operator = await as('operator');
    const { token, quote } = await refundForm(operator, order.id);
    const done = await operator.post(`/admin/orders/${order.id}/refund`, {
      _csrf: token,
      quote,
      reason: '用户申请',
    });
    expect(done.status).toBe(303);
    const shown = await (await operator.fetch(done.headers.get('location') as string)).text();
    expect(shown).toMatch(/flash-error[^>]*>退款：退款已关闭（[^）]+）/);
  });

  it('refunds only with a reason and the quote that was shown, and audits it with the actor', async () => {
    const { as, order, deps, audit } = await setup();
    const operator = await as('operator');
    const { token, quote } = await refundForm(operator, order.id);
    const noReason = await operator.post(`/admin/orders/${order.id}/refund`, {
      _csrf: token,
      quote,
      reason: ' ',
    });
    expect(noReason.status).toBe(400);
    const stale = await operator.post(`/admin/orders/${order.id}/refund`, {
      _csrf: token,
      quote: 'new::0',
      reason: '用户申请',
    });
    expect(stale.status).toBe(409);
    expect(await deps.refunds.attempts(order.id)).toEqual([]);
    const done = await operator.post(`/admin/orders/${order.id}/refund`, {
      _csrf: token,
      quote,
      reason: '用户申请',
    });
    expect(done.status).toBe(303);
    expect((await deps.orders.findById(order.id))?.status).toBe('refunded');
    const entries = (await audit()).filter((e) => e.action === 'order.refund');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      actor: { username: 'operator' },
      target: { kind: 'order', id: String(order.id) },
      reason: '用户申请',
      before: { status: 'completed', balance: 100 },
      after: { status: 'refunded', refund: 'succeeded', creditsTaken: 100 },
    });
  });

  it('needs 强制退款 when the credits were spent, then takes back what is left', async () => {
    const { as, order, deps, user } = await setup();
    await appendEntry(deps, {
      userId: user.id,
      amount: -60,
      type: 'consume',
      description: 'spent',
      relatedOrderId: null,
      idempotencyKey: 'spent-1',
    });
    const operator = await as('operator');
    const page = await (await operator.fetch(`/admin/orders/${order.id}/refund`)).text();
    expect(page).toContain('data-testid="quote-shortfall">60');
    const token = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
    const quote = /name="quote" value="([^"]+)"/.exec(page)![1]!;
    const unforced = await operator.post(`/admin/orders/${order.id}/refund`, {
      _csrf: token,
      quote,
      reason: 'r',
    });
    expect(unforced.status).toBe(400);
    const forced = await operator.post(`/admin/orders/${order.id}/refund`, {
      _csrf: token,
      quote,
      reason: 'r',
      force: '1',
    });
    expect(forced.status).toBe(303);
    expect((await deps.ledger.head(user.id))?.balanceAfter).toBe(0);
  });

  it('syncs with the provider (operator and up) and audits it; a CSRF-less POST is refused', async () => {
    const { as, deps, clock, user, audit, provider } = await setup();
    const pending = await deps.orders.create(anOrder({ userId: user.id, createdAt: clock.now() }));
    const viewer = await as('viewer');
    const vt = await csrf(viewer, `/admin/orders/${pending.id}`);
    expect((await viewer.post(`/admin/orders/${pending.id}/sync`, { _csrf: vt })).status).toBe(403);
    const operator = await as('operator');
    expect((await operator.post(`/admin/orders/${pending.id}/sync`, {})).status).toBe(403);
    const token = await csrf(operator, `/admin/orders/${pending.id}`);
    const synced = await operator.post(`/admin/orders/${pending.id}/sync`, { _csrf: token });
    expect(synced.status).toBe(303);
    expect(await (await operator.fetch(synced.headers.get('location') as string)).text()).toContain(
      '已同步：支付进行中，状态: NOTPAY',
    );
    // The provider never saw this order: the operator is told so, not "in progress, NOTPAY".
    provider.unknown(pending.orderNo);
    const again = await operator.post(`/admin/orders/${pending.id}/sync`, { _csrf: token });
    const shown = await (await operator.fetch(again.headers.get('location') as string)).text();
    expect(shown).toContain('支付平台查无此交易');
    // An unpaid order shows no refund amounts, only why it cannot be refunded.
    expect(shown).not.toContain('data-testid="quote-amount"');
    expect(shown).toContain('订单未支付，不能退款');
    expect(
      (await audit())
        .filter((e) => e.action === 'order.sync')
        .map((e) => (e.after as { providerState?: string } | null)?.providerState),
    ).toContain('NOT_FOUND');
    const entry = (await audit()).find((e) => e.action === 'order.sync');
    expect(entry).toMatchObject({
      actor: { username: 'operator' },
      before: { status: 'pending' },
      after: { status: 'pending' },
    });
  });

  it('exports the search as CSV: BOM, header, rows; a viewer may', async () => {
    const { as, order } = await setup();
    const viewer = await as('viewer');
    const r = await viewer.fetch(`/admin/orders/export.csv?status=completed`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const bytes = new Uint8Array(await r.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes).slice(1).split('\r\n');
    expect(lines[0]).toBe('订单号,订单ID,用户ID,商品,积分,金额(元),状态,支付单号,创建时间,支付时间,退款时间');
    expect(lines[1]).toBe(
      `${order.orderNo},${order.id},${order.userId},100积分套餐,100,9.90,已完成,4200000001,2026-11-27 10:00:00,2026-11-27 10:00:00,`,
    );
    expect((await viewer.fetch('/admin/orders/export.csv?from=nope')).status).toBe(400);
  });
});

describe('console: products', () => {
  it('lets only an admin change products; a price change needs a reason and is audited before → after', async () => {
    const { as, deps, audit } = await setup();
    await deps.products.seed(
      [
        {
          id: 1,
          name: '100积分套餐',
          description: '购买100积分',
          credits: 100,
          priceFen: 990,
          imageUrl: null,
          isActive: true,
          sortOrder: 1,
          xpayProductId: null,
        },
      ],
      new Date(),
    );
    const operator = await as('operator');
    const ot = await csrf(operator, '/admin/orders');
    const fields = {
      name: '100积分套餐',
      description: '购买100积分',
      credits: '100',
      price: '8.80',
      sort_order: '1',
      version: '1',
    };
    expect((await operator.post('/admin/products/1', { _csrf: ot, ...fields, reason: 'x' })).status).toBe(
      403,
    );
    const admin = await as('admin');
    const token = await csrf(admin, '/admin/products/1');
    const preview = await admin.post('/admin/products/1', { _csrf: token, ...fields, _preview: '1' });
    expect(preview.status).toBe(200);
    expect(await preview.text()).toContain('¥8.80');
    expect((await deps.products.findById(1))?.priceFen).toBe(990);
    expect((await admin.post('/admin/products/1', { _csrf: token, ...fields })).status).toBe(400);
    expect(
      (await admin.post('/admin/products/1', { _csrf: token, ...fields, price: '8.888', reason: 'x' }))
        .status,
    ).toBe(400);
    const saved = await admin.post('/admin/products/1', { _csrf: token, ...fields, reason: '促销' });
    expect(saved.status).toBe(303);
    expect((await deps.products.findById(1))?.priceFen).toBe(880);
    const stale = await admin.post('/admin/products/1', {
      _csrf: token,
      ...fields,
      price: '7.70',
      reason: 'again',
    });
    expect(stale.status).toBe(409);
    // The page after the refusal carries the current version and values: saving it again without
    // editing changes nothing, and does not undo the other edit.
    const reloaded = await stale.text();
    expect(reloaded).toContain('name="version" value="2"');
    expect(reloaded).toContain('value="8.80"');
    const resaved = await admin.post('/admin/products/1', {
      _csrf: token,
      ...fields,
      version: '2',
      price: '8.80',
    });
    expect(resaved.status).toBe(303);
    expect((await deps.products.findById(1))?.priceFen).toBe(880);
    // A stale form that changes only the name is refused as stale, not for a missing price reason.
    const staleName = await admin.post('/admin/products/1', { _csrf: token, ...fields, name: '新名字' });
    expect(staleName.status).toBe(409);
    expect(await staleName.text()).toContain('数据已被他人修改');
    expect((await deps.products.findById(1))?.name).toBe('100积分套餐');
    const entry = (await audit()).find((e) => e.action === 'product.price');
    expect(entry).toMatchObject({
      actor: { username: 'admin' },
      before: { priceFen: 990 },
      after: { priceFen: 880 },
      reason: '促销',
    });
    const off = await admin.post('/admin/products/1/active', { _csrf: token, active: '0' });
    expect(off.status).toBe(303);
    expect((await deps.products.findById(1))?.isActive).toBe(false);
    expect(await (await admin.fetch('/admin/products')).text()).toContain('已下架');
  });

  it('pages the product list', async () => {
    const { as, deps } = await setup();
    for (let i = 1; i <= 21; i++)
      await deps.products.create(
        {
          name: `p${i}`,
          description: '',
          credits: i,
          priceFen: 100 * i,
          imageUrl: null,
          isActive: i % 2 === 0,
          sortOrder: i,
          xpayProductId: null,
        },
        new Date(),
      );
    const viewer = await as('viewer');
    const first = await (await viewer.fetch('/admin/products')).text();
    expect(first).toContain('rel="next"');
    expect((first.match(/data-product-id=/g) ?? []).length).toBe(20);
    const second = await (await viewer.fetch('/admin/products?page=2')).text();
    expect((second.match(/data-product-id=/g) ?? []).length).toBe(1);
  });
});

describe('console: users', () => {
  it('finds a user by id or openid, adjusts credits once per form with a reason, and audits it', async () => {
    const { as, deps, user, audit } = await setup();
    const viewer = await as('viewer');
    expect((await viewer.fetch('/admin/users?q=openid-shopper')).headers.get('location')).toBe(
      `/admin/users/${user.id}`,
    );
    expect((await viewer.fetch(`/admin/users?q=${user.id}`)).headers.get('location')).toBe(
      `/admin/users/${user.id}`,
    );
    expect((await viewer.fetch('/admin/users?q=nobody')).status).toBe(404);
    const vt = await csrf(viewer, `/admin/users/${user.id}`);
    expect(
      (
        await viewer.post(`/admin/users/${user.id}/credits`, {
          _csrf: vt,
          amount: '5',
          reason: 'x',
          key: 'abcdefgh12',
        })
      ).status,
    ).toBe(403);

    const operator = await as('operator');
    const page = await (await operator.fetch(`/admin/users/${user.id}`)).text();
    const token = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
    const key = /name="key" value="([^"]+)"/.exec(page)![1]!;
    const noReason = await operator.post(`/admin/users/${user.id}/credits`, {
      _csrf: token,
      amount: '50',
      reason: '',
      key,
    });
    expect(noReason.status).toBe(303);
    expect((await deps.ledger.head(user.id))?.balanceAfter).toBe(100);
    for (let i = 0; i < 2; i++) {
      const r = await operator.post(`/admin/users/${user.id}/credits`, {
        _csrf: token,
        amount: '50',
        reason: '活动补偿',
        key,
      });
      expect(r.status).toBe(303);
    }
    expect((await deps.ledger.head(user.id))?.balanceAfter).toBe(150);
    const adjusted = (await audit()).filter((e) => e.action === 'user.credits');
    expect(adjusted).toHaveLength(1);
    const entry = adjusted[0];
    expect(entry).toMatchObject({
      actor: { username: 'operator' },
      before: { balance: 100 },
      after: { balance: 150, amount: 50 },
      reason: '活动补偿',
    });

    const disabled = await operator.post(`/admin/users/${user.id}/active`, {
      _csrf: token,
      active: '0',
      reason: '风控',
    });
    expect(disabled.status).toBe(303);
    expect((await deps.users.findById(user.id))?.isActive).toBe(false);
    expect((await audit()).some((e) => e.action === 'user.disable' && e.actor.username === 'operator')).toBe(
      true,
    );
  });

  it('exports the ledger as CSV with a BOM and the entries newest first', async () => {
    const { as, user } = await setup();
    const viewer = await as('viewer');
    const r = await viewer.fetch(`/admin/users/${user.id}/ledger.csv`);
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await r.arrayBuffer());
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text.slice(1).split('\r\n');
    expect(lines[0]).toBe('流水ID,序号,时间,类型,积分变动,余额,说明,关联订单ID');
    expect(lines[1]).toMatch(/^\d+,1,2026-11-27 10:00:00,购买,100,100,/);
  });
});

describe('console: dashboard, reviews, statements', () => {
  it('shows today’s sales and when the figures were computed', async () => {
    const { as } = await setup();
    const viewer = await as('viewer');
    const page = await (await viewer.fetch('/admin')).text();
    expect(page).toContain('数据更新于 2026-11-27 10:00:00');
    expect(page).toMatch(/data-testid="today">[\s\S]*?¥9\.90[\s\S]*?1 笔支付/);
  });

  it('says the figures are being computed when they take long, and shows them once they are ready', async () => {
    const clock = new FixedClock(new Date('2026-11-27T02:00:00Z'));
    const base = consoleApp({ clock });
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = {
      ...base.deps.settlements,
      inHour: async (hour: number) => {
        await gate;
        return base.deps.settlements.inHour(hour);
      },
    };
    const app = createApp({ ...base.deps, settlements: slow });
    await createOperator(base.deps, 'viewer', 'viewer', PW);
    const viewer = new Jar(app);
    await viewer.login('viewer', PW);
    expect(await (await viewer.fetch('/admin')).text()).toContain('data-testid="computing"');
    release();
    expect(await (await viewer.fetch('/admin')).text()).toContain('数据更新于');
  });

  it('answers a mistyped console path with a console 404 page, and asks a stranger to log in first', async () => {
    const { as, app } = await setup();
    const viewer = await as('viewer');
    const missing = await viewer.fetch('/admin/ordrs');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('text/html');
    expect(await missing.text()).toContain('没有这个页面');
    // The real pages and the static files still win.
    expect((await viewer.fetch('/admin/orders')).status).toBe(200);
    expect((await viewer.fetch('/admin/static/console.css')).status).toBe(200);
    const stranger = await app.handle(new Request('http://localhost/admin/ordrs'));
    expect([302, 303]).toContain(stranger.status);
  });

  it('lists alerts for every role, newest first, with their delivery state, and filters by state', async () => {
    const { as, deps } = await setup();
    await recordAlert({ ...deps, alertOutbox: deps.alertOutbox as AlertOutbox })({
      kind: 'statement_difference',
      key: '2026-11-26',
      severity: 'critical',
      title: '2026-11-26 对账单与本地记录不一致（5 处）',
      text: '请在「对账」中查看差异。',
      facts: { differences: 5 },
    });
    const viewer = await as('viewer');
    const page = await (await viewer.fetch('/admin/alerts')).text();
    expect(page).toContain('2026-11-26 对账单与本地记录不一致（5 处）');
    expect(page).toContain('严重');
    expect(page).toContain('href="/admin/alerts"');
    const state = /data-alert-id="[^"]+"[\s\S]*?<\/tr>/.exec(page)?.[0] ?? '';
    expect(state).toMatch(/待发送|仅记录/);
    expect(await (await viewer.fetch('/admin/alerts?state=sent')).text()).toContain('没有告警');
  });

  it('resolves a review with a note (operator and up) and audits it', async () => {
    const { as, deps, order, audit } = await setup();
    await deps.reviews.open({
      orderId: order.id,
      orderNo: order.orderNo,
      reason: 'second_payment',
      detail: 'two trades',
      createdAt: new Date(),
    });
    const viewer = await as('viewer');
    const open = await (await viewer.fetch('/admin/reviews')).text();
    expect(open).toContain('重复支付');
    expect(open).toContain('在商户平台退还第二笔款项'); // what to do, beside the reason
    const operator = await as('operator');
    const token = await csrf(operator, '/admin/orders');
    const id = encodeURIComponent(`${order.id}:second_payment`);
    expect((await operator.post(`/admin/reviews/${id}/resolve`, { _csrf: token, note: '' })).status).toBe(
      303,
    );
    expect((await deps.reviews.list({ openOnly: true }, { skip: 0, limit: 10 })).length).toBe(1);
    await operator.post(`/admin/reviews/${id}/resolve`, { _csrf: token, note: '已人工退款' });
    expect((await deps.reviews.list({ openOnly: true }, { skip: 0, limit: 10 })).length).toBe(0);
    expect((await audit()).find((e) => e.action === 'review.resolve')).toMatchObject({
      actor: { username: 'operator' },
      reason: '已人工退款',
    });
    // The audit log shows the recorded time as every other time on the page: local, no T, no Z.
    const log = await (await viewer.fetch('/admin/audit-log')).text();
    expect(log).toContain('处理复核');
    expect(log).toMatch(/处理时间：<\/span>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d</);
  });

  it('lists statement reports, and shows a run for today on the page without storing it', async () => {
    const { as, deps, order } = await setup();
    const viewer = await as('viewer');
    expect((await viewer.fetch('/admin/statements')).status).toBe(200);
    // The provider's bill of today (2026-11-27 in Beijing) holds the one order, paid.
    const statements = {
      download: async (date: string) =>
        ok({
          date,
          trades: [
            {
              outTradeNo: order.orderNo,
              transactionId: '4200000001',
              amountFen: 990,
              paidAt: deps.clock.now(),
            },
          ],
          refunds: [],
        }),
    };
    const admin = new Jar(createApp({ ...deps, statements }));
    expect((await admin.login('admin', PW)).status).toBe(303);
    const token = await csrf(admin, '/admin/statements');
    const run = await admin.post('/admin/statements/run', { _csrf: token, date: '2026-11-27' });
    expect(run.status).toBe(200);
    const page = await run.text();
    expect(page).toContain('data-testid="provisional"');
    expect(page).toMatch(/<th>一致<\/th><td>1<\/td>/);
    expect(await deps.statementReports?.find('2026-11-27')).toBeNull();
    expect((await admin.fetch('/admin/statements/2026-11-27')).status).toBe(404);
  });
});

describe('console: 数据核查 (the integrity audit)', () => {
  it('runs the audit in the background for an admin only, shows the latest report with linked findings', async () => {
    const { as, deps, order, audit } = await setup();
    const viewer = await as('viewer');
    const admin = await as('admin');
    const before = await (await viewer.fetch('/admin/integrity')).text();
    expect(before).toContain('data-testid="integrity-none"');
    expect(before).not.toContain('立即核查'); // not the viewer's to run
    expect((await admin.fetch('/admin/integrity')).status).toBe(200);
    const viewerToken = await csrf(viewer, '/admin/account');
    expect((await viewer.post('/admin/integrity/run', { _csrf: viewerToken })).status).toBe(403);
    expect(await deps.auditReports.latest()).toBeNull();

    // A broken store: the settled order's projection says pending.
    await deps.orders.project(order.id, ['paid', 'completed'], {
      status: 'pending',
      updatedAt: deps.clock.now(),
    });
    const run = await admin.post('/admin/integrity/run', { _csrf: await csrf(admin, '/admin/integrity') });
    expect(run.status).toBe(303);
    await auditRunner(deps).idle();
    const stored = await deps.auditReports.latest();
    expect(stored).toMatchObject({ trigger: 'console', report: { ok: false } });
    const page = await (await viewer.fetch('/admin/integrity')).text();
    expect(page).toContain('data-testid="integrity-report"');
    expect(page).toContain('控制台');
    // Settled, credited and once completed: three records contradict the pending projection.
    expect(page).toMatch(/订单状态 <span class="muted">order_status<\/span><\/td><td class="neg">3</);
    expect(page).toContain(`<a href="/admin/orders/${order.id}">order ${order.id}</a>`);
    expect(page).toContain('settled but pending');
    expect((await audit()).filter((e) => e.action === 'integrity.run')).toEqual([
      expect.objectContaining({
        actor: expect.objectContaining({ username: 'admin' }),
        target: { kind: 'integrity', id: stored!.startedAt.toISOString() },
      }),
    ]);
  });

  it('starts one scan while one runs, whether asked from the console or the API', async () => {
    const { deps, order } = await setup();
    // Each scan of the orders waits at the gate, so the first run is still going when more are asked.
    const { orders, scans, release } = gatedOrders(deps);
    const gated: AppDeps = { ...deps, orders };
    const admin = new Jar(createApp(gated));
    expect((await admin.login('admin', PW)).status).toBe(303);
    const token = await csrf(admin, '/admin/integrity');
    expect((await admin.post('/admin/integrity/run', { _csrf: token })).status).toBe(303);
    for (let i = 0; i < 100 && scans() === 0; i++) await Bun.sleep(5);
    const again = await admin.post('/admin/integrity/run', { _csrf: token });
    expect(again.status).toBe(303);
    const running = await (await admin.fetch('/admin/integrity')).text();
    expect(running).toContain('data-testid="integrity-running"');
    expect(running).not.toContain('立即核查');
    expect(auditRunner(gated).runningSince()).not.toBeNull();
    expect(auditRunner(gated).start('api')).toEqual(auditRunner(gated).runningSince()!);
    release();
    await auditRunner(gated).idle();
    expect(scans()).toBe(1);
    expect((await deps.auditReports.latest())?.report.scanned.orders).toBeGreaterThanOrEqual(1);
    expect(order.id).toBeGreaterThan(0);
  });

  it('ends a run in progress when the process stops: no report, no failure, audit.stopped logged', async () => {
    const { deps } = await setup();
    const { orders, scans, release } = gatedOrders(deps);
    const events: string[] = [];
    const gated: AppDeps = {
      ...deps,
      orders,
      log: (event, fields) => {
        events.push(event);
        deps.log(event, fields);
      },
    };
    auditRunner(gated).start('api');
    for (let i = 0; i < 100 && scans() === 0; i++) await Bun.sleep(5);
    const stopped = auditRunner(gated).stop();
    release();
    await stopped;
    expect(auditRunner(gated).runningSince()).toBeNull();
    expect(auditRunner(gated).lastFailure()).toBeNull();
    expect(await deps.auditReports.latest()).toBeNull();
    expect(events).toContain('audit.stopped');
    expect(events).not.toContain('audit.failed');
  });

  it('says when the run it started failed, beside the previous report', async () => {
    const { deps } = await setup();
    const orders = {
      ...deps.orders,
      // biome-ignore lint/correctness/useYield: it fails before its first order, as a lost store does
      scan: async function* () {
        throw new Error('store unreachable');
      },
    } as typeof deps.orders;
    const failing: AppDeps = { ...deps, orders };
    const admin = new Jar(createApp(failing));
    expect((await admin.login('admin', PW)).status).toBe(303);
    await admin.post('/admin/integrity/run', { _csrf: await csrf(admin, '/admin/integrity') });
    await auditRunner(failing).idle();
    const page = await (await admin.fetch('/admin/integrity')).text();
    expect(page).toContain('data-testid="integrity-failed"');
    expect(page).toContain('store unreachable');
    expect(page).toContain('data-testid="integrity-none"');
  });
});
