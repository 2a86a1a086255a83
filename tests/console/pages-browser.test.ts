// The business pages in real headless Chromium against the app on a real TCP port and the gateway
// sandbox (in-process, over HTTP): an order paid while its callback was lost is found, its timeline
// read, synced, refunded with a reason; a price is edited, credits adjusted, CSV exported; a viewer
// is refused the refund; every action shows up in the audit log under its actor.
// With CONSOLE_SCREENSHOTS=<dir> (bun scripts/screenshots.ts) it also saves the main pages as PNGs.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DASHBOARD_TTL_MS } from '../../src/app/console/pages/dashboard';
import { auditRunner } from '../../src/app/http/audit-runner';
import { createApp } from '../../src/app/http/create-app';
import type { AlertOutbox } from '../../src/domain/ports';
import { recordAlert } from '../../src/domain/usecases/alerts';
import { seedDemoProducts } from '../../src/domain/usecases/catalog';
import { startSandbox } from '../sandbox/harness';
import { testDeps } from '../support/app';
import { createOperator, launchBrowser, loginAs } from './browser';

const PW = 'correct horse battery';
const SHOTS = process.env.CONSOLE_SCREENSHOTS;

describe('the business pages in headless Chromium', () => {
  // Real time, which the test can move on (past the dashboard's cache) without waiting.
  let offsetMs = 0;
  const clock = { now: () => new Date(Date.now() + offsetMs) };
  let browser: Browser;
  let sandbox: ReturnType<typeof startSandbox>;
  let stopApp: () => Promise<void>;
  let base: string;
  let deps: ReturnType<typeof testDeps>['deps'];

  beforeAll(async () => {
    sandbox = startSandbox();
    deps = testDeps({ gatewayUrl: sandbox.url, wechatApiBase: sandbox.url, clock }).deps;
    await seedDemoProducts(deps)();
    const app = createApp(deps).listen({ port: 0, hostname: '127.0.0.1' });
    base = `http://127.0.0.1:${app.server?.port}`;
    stopApp = async () => {
      await app.stop(true);
    };
    for (const role of ['viewer', 'operator', 'admin'] as const)
      await createOperator(deps, `${role}1`, role, PW);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stopApp?.();
    await sandbox?.stop();
  });

  const api = async (method: string, url: string, token?: string, body?: unknown) => {
    const r = await fetch(`${base}${url}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!r.ok) throw new Error(`${method} ${url}: ${r.status} ${await r.text()}`);
    return (await r.json()) as Record<string, unknown>;
  };

  /** A mini-program user buys 100 credits; the provider takes the money but the callback is lost. */
  let shoppers = 0;
  async function paidWithLostCallback() {
    const code = `console-shopper-${++shoppers}`;
    const token = (await api('POST', '/api/auth/login', undefined, { code })).access_token as string;
    const order = await api('POST', '/api/orders/create', token, { product_id: 1 });
    await api('POST', `/api/orders/pay/${order.order_id}`, token);
    const paid = await fetch(`${sandbox.url}/sandbox/trades/${order.order_no}/pay?notify=false`, {
      method: 'POST',
    });
    expect(paid.ok).toBe(true);
    return { id: order.order_id as number, orderNo: order.order_no as string };
  }

  async function open(role: string): Promise<Page> {
    const context = await browser.newContext({
      baseURL: base,
      locale: 'zh-CN',
      viewport: { width: 1280, height: 800 },
      acceptDownloads: true,
    });
    const page = await context.newPage();
    await loginAs(page, role, PW);
    return page;
  }

  const shot = async (page: Page, name: string) => {
    if (!SHOTS) return;
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });
  };

  const submit = (page: Page, button: ReturnType<Page['getByRole']> | ReturnType<Page['getByTestId']>) =>
    Promise.all([page.waitForLoadState('load'), page.waitForNavigation(), button.click()]);

  it('finds, reads, syncs and refunds an order; edits a price; adjusts credits; exports CSV; logs out', async () => {
    const order = await paidWithLostCallback();
    const ops = await open('operator1');

    // Find the order by its number.
    await ops.goto('/admin/orders');
    await ops.getByLabel('订单号').fill(order.orderNo);
    await submit(ops, ops.getByRole('button', { name: '搜索' }));
    await shot(ops, 'orders');
    await submit(ops, ops.getByRole('link', { name: order.orderNo }));
    expect(await ops.getByTestId('order-status').textContent()).toBe('待支付');
    const before = await ops.getByTestId('timeline').textContent();
    expect(before).toContain('预下单');

    // Sync: the payment-status use case asks the provider, settles and grants.
    await submit(ops, ops.getByTestId('sync'));
    expect(await ops.getByRole('status').textContent()).toContain('已同步');
    expect(await ops.getByTestId('order-status').textContent()).toBe('已完成');

    // Refund: the quote first, then the POST with a reason.
    await submit(ops, ops.getByTestId('refund-link'));
    expect(await ops.getByTestId('quote-amount').textContent()).toContain('¥9.90');
    expect(await ops.getByTestId('quote-credits').textContent()).toBe('100');
    await ops.getByLabel('退款原因（必填）').fill('用户申请退款');
    await shot(ops, 'refund-confirm');
    await submit(ops, ops.getByTestId('confirm-refund'));
    expect(await ops.getByRole('status').textContent()).toContain('退款');
    expect(await ops.getByTestId('order-status').textContent()).toBe('已退款');
    const timeline = (await ops.getByTestId('timeline').textContent()) ?? '';
    for (const step of ['预下单', '已支付', '积分', '退款']) expect(timeline).toContain(step);
    await shot(ops, 'order-detail');
    // The timeline's heading at the top of the window.
    await ops.getByRole('heading', { name: '时间线' }).evaluate((h) => h.scrollIntoView());
    await shot(ops, 'order-timeline');

    // Adjust the user's credits (reason required).
    const userId = (await deps.orders.findById(order.id))?.userId;
    await ops.goto(`/admin/users/${userId}`);
    await ops.getByLabel('数量（正数增加，负数扣减）').fill('30');
    await ops.getByLabel('原因（必填，用户流水中可见）').fill('活动补偿');
    await submit(ops, ops.getByRole('button', { name: '确认调整' }));
    expect(await ops.getByTestId('balance').textContent()).toBe('30');
    await shot(ops, 'user-detail');

    // Export the user's ledger as CSV.
    const [download] = await Promise.all([
      ops.waitForEvent('download'),
      ops.getByTestId('ledger-csv').click(),
    ]);
    const bytes = fs.readFileSync((await download.path()) as string);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const csv = bytes.toString('utf8');
    expect(csv).toContain('流水ID,序号,时间,类型,积分变动,余额,说明,关联订单ID');
    expect(csv).toContain('调整,30,30,活动补偿');
    expect(csv).toContain('退款,-100,0,订单退款扣回100积分');

    // The orders export from the search.
    await ops.goto(`/admin/orders?order_no=${order.orderNo}`);
    const [orders] = await Promise.all([ops.waitForEvent('download'), ops.getByTestId('orders-csv').click()]);
    const ordersCsv = fs.readFileSync((await orders.path()) as string, 'utf8');
    expect(ordersCsv).toContain(`${order.orderNo},${order.id},${userId},100积分套餐,100,9.90,已退款`);

    offsetMs += DASHBOARD_TTL_MS + 1000; // the dashboard computed at login is now stale
    await ops.goto('/admin');
    expect(await ops.getByTestId('today').textContent()).toContain('1 笔支付');
    await shot(ops, 'dashboard');

    // An admin edits a price, with the preview and a reason.
    const admin = await open('admin1');
    await admin.goto('/admin/products/1');
    await admin.getByLabel('价格（元，最多两位小数）').fill('8.80');
    await admin.getByLabel('原因（修改价格时必填）').fill('双十二促销');
    await submit(admin, admin.getByRole('button', { name: '预览' }));
    expect(await admin.getByTestId('preview').textContent()).toContain('¥8.80');
    await shot(admin, 'product-edit');
    await submit(admin, admin.getByRole('button', { name: '保存' }));
    expect(await admin.getByRole('status').textContent()).toContain('已保存');
    expect((await deps.products.findById(1))?.priceFen).toBe(880);

    // The audit log holds every action above under its actor.
    await admin.goto('/admin/audit-log');
    await shot(admin, 'audit-log');
    const rows = await admin
      .locator('tr[data-action]')
      .evaluateAll((trs) =>
        trs.map(
          (tr) =>
            `${tr.getAttribute('data-action')} ${tr.querySelector('[data-testid="actor"]')?.textContent}`,
        ),
      );
    for (const expected of [
      'order.sync operator1',
      'order.refund operator1',
      'user.credits operator1',
      'product.price admin1',
    ])
      expect(rows).toContain(expected);

    // What was raised for a human is on the alerts page, webhook or not.
    await recordAlert({ ...deps, alertOutbox: deps.alertOutbox as AlertOutbox })({
      kind: 'statement_difference',
      key: '2026-11-26',
      severity: 'critical',
      title: '2026-11-26 对账单与本地记录不一致（2 处）',
      text: '对方有支付而本地未结算 1 笔，已自动补发；金额不一致 1 笔，请在「对账」中核对。',
      facts: { differences: 2 },
    });
    await ops.goto('/admin/alerts');
    expect(await ops.getByTestId('alerts').textContent()).toContain('对账单与本地记录不一致（2 处）');
    await shot(ops, 'alerts');
    // The integrity audit, run from the console in the background, then its report.
    await admin.goto('/admin/integrity');
    await submit(admin, admin.getByRole('button', { name: '立即核查' }));
    expect(await admin.getByRole('status').textContent()).toContain('已开始核查');
    await auditRunner(deps).idle();
    await admin.goto('/admin/integrity');
    expect(await admin.getByTestId('integrity-report').textContent()).toContain('控制台');
    await shot(admin, 'integrity');
    await admin.goto('/admin/operators');
    expect(await admin.locator('tr[data-operator="admin1"]').textContent()).toContain('本人');
    await shot(admin, 'operators');

    // Log out: the console asks for a login again.
    await submit(ops, ops.getByRole('button', { name: '退出登录' }));
    await ops.goto('/admin/orders');
    expect(new URL(ops.url()).pathname).toBe('/admin/login');
    await ops.context().close();
    await admin.context().close();
  }, 60_000);

  it('refuses the viewer the refund', async () => {
    const order = await paidWithLostCallback();
    const viewer = await open('viewer1');
    await viewer.goto(`/admin/orders/${order.id}`);
    expect(await viewer.getByTestId('refund-link').count()).toBe(0);
    expect(await viewer.getByTestId('sync').count()).toBe(0);
    const response = await viewer.goto(`/admin/orders/${order.id}/refund`);
    expect(response?.status()).toBe(403);
    expect(await viewer.locator('main').textContent()).toContain('需要「');
    await viewer.context().close();
  }, 30_000);
});
