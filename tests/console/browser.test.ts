import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'bun:test';
import type { Browser, Page } from 'playwright-core';
import { SESSION_COOKIE } from '../../src/app/console/cookies';
import { base32Decode, totpAt } from '../../src/domain/operators/totp';
import { type ConsoleServer, createOperator, launchBrowser, loginAs, newPage, startConsole } from './browser';
import { readQr } from './qr';

const PW = 'correct horse battery';

describe('the operator console in headless Chromium', () => {
  let browser: Browser;
  let server: ConsoleServer;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    server = startConsole();
    await createOperator(server.deps, 'alice', 'admin', PW);
    page = await newPage(browser, server);
  });
  afterEach(async () => {
    await page.context().close();
    await server.stop();
  });

  const sessionCookie = async () => (await page.context().cookies()).find((c) => c.name === SESSION_COOKIE);

  it('logs in, shows the shell, logs out; the old cookie is useless afterwards', async () => {
    await page.goto('/admin/audit-log');
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    await loginAs(page, 'alice', PW);
    expect(new URL(page.url()).pathname).toBe('/admin');
    expect(await page.getByTestId('operator-name').textContent()).toBe('alice');
    expect(await page.getByTestId('operator-role').textContent()).toBe('管理员');
    for (const label of ['总览', '订单', '商品', '用户', '复核', '对账', '操作员', '审计日志'])
      expect(
        await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: label }).count(),
      ).toBe(1);
    const cookie = await sessionCookie();
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/admin', secure: false });

    await Promise.all([
      page.waitForURL('**/admin/login'),
      page.getByRole('button', { name: '退出登录' }).click(),
    ]);
    expect(await page.getByRole('status').textContent()).toBe('已退出登录');
    expect(await sessionCookie()).toBeUndefined();
    const replay = await fetch(`${server.base}/admin`, {
      headers: { cookie: `${SESSION_COOKIE}=${cookie?.value}` },
      redirect: 'manual',
    });
    expect(replay.status).toBe(303);
    expect(replay.headers.get('location')).toStartWith('/admin/login');
  });

  it('locks the username after 5 wrong passwords and refuses even the right one while locked', async () => {
    for (let i = 0; i < 5; i++) {
      await loginAs(page, 'alice', `wrong password ${i}`);
      expect(await page.getByRole('alert').textContent()).toContain('登录失败');
    }
    await loginAs(page, 'alice', PW);
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    expect(await page.getByRole('alert').textContent()).toContain('登录失败');
    expect(await sessionCookie()).toBeUndefined();
    server.clock.advance(61_000);
    await loginAs(page, 'alice', PW);
    expect(new URL(page.url()).pathname).toBe('/admin');
  });

  it('refuses a POST without the CSRF token (403) and changes nothing', async () => {
    await loginAs(page, 'alice', PW);
    const cookie = await sessionCookie();
    const response = await fetch(`${server.base}/admin/operators`, {
      method: 'POST',
      headers: {
        cookie: `${SESSION_COOKIE}=${cookie?.value}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ username: 'mallory', role: 'admin', password: 'a long enough password' }),
      redirect: 'manual',
    });
    expect(response.status).toBe(403);
    expect(await server.deps.operators.findByUsername('mallory')).toBeNull();
    // The same form sent from the page, with its token, works.
    await page.goto('/admin/operators');
    await page.getByLabel('用户名').fill('mallory');
    await page.getByLabel('初始密码').fill('a long enough password');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '创建' }).click()]);
    expect(await page.getByRole('status').textContent()).toBe('已创建操作员 mallory');
  });

  it('does not let a viewer open the operators page', async () => {
    await createOperator(server.deps, 'victor', 'viewer', PW);
    await loginAs(page, 'victor', PW);
    expect(await page.getByTestId('operator-role').textContent()).toBe('只读');
    expect(await page.getByRole('link', { name: '操作员' }).count()).toBe(0);
    const response = await page.goto('/admin/operators');
    expect(response?.status()).toBe(403);
    expect(await page.getByRole('alert').textContent()).toContain('需要「管理员」或更高权限');
  });

  it('enrolls TOTP and then logs in with a code', async () => {
    await loginAs(page, 'alice', PW);
    await page.goto('/admin/account');
    const secret = (await page.getByTestId('totp-secret').textContent()) ?? '';
    expect(await page.getByTestId('totp-uri').textContent()).toContain(`secret=${secret}`);
    // The QR code is drawn (inline SVG, allowed by the strict CSP) at its size, and reads back.
    const qr = page.getByTestId('totp-qr');
    expect(await qr.locator('svg').boundingBox()).toMatchObject({ width: 220, height: 220 });
    expect(readQr(await qr.innerHTML())).toContain(`secret=${secret}`);
    const code = (at: Date) => totpAt(base32Decode(secret) as Uint8Array, at);
    await page.getByLabel('验证码').fill(code(server.clock.now()));
    await Promise.all([
      page.waitForLoadState('load'),
      page.getByRole('button', { name: '确认启用' }).click(),
    ]);
    expect(await page.getByRole('status').textContent()).toBe('两步验证已启用');

    const other = await newPage(browser, server);
    await loginAs(other, 'alice', PW);
    expect(new URL(other.url()).pathname).toBe('/admin/login');
    server.clock.advance(30_000);
    await loginAs(other, 'alice', PW, code(server.clock.now()));
    expect(new URL(other.url()).pathname).toBe('/admin');
    await other.context().close();
  });

  it('shows every action in the audit log with its actor', async () => {
    await loginAs(page, 'alice', PW);
    await page.goto('/admin/operators');
    await page.getByLabel('用户名').fill('bob');
    await page.getByLabel('角色', { exact: true }).last().selectOption('operator');
    await page.getByLabel('初始密码').fill('bobs long password');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '创建' }).click()]);
    const bobRow = page.locator('tr[data-operator="bob"]');
    page.once('dialog', (d) => void d.accept());
    await Promise.all([page.waitForLoadState('load'), bobRow.getByRole('button', { name: '停用' }).click()]);
    expect(await page.getByRole('status').textContent()).toBe('已停用 bob');

    await page.goto('/admin/audit-log');
    const rows = page.locator('tbody tr');
    const seen = await rows.evaluateAll((trs) =>
      trs.map(
        (tr) => `${tr.querySelector('[data-testid=actor]')?.textContent}:${tr.getAttribute('data-action')}`,
      ),
    );
    expect(seen).toEqual(
      expect.arrayContaining(['alice:login.succeeded', 'alice:operator.created', 'alice:operator.disabled']),
    );
    await page.locator('input[name=actor]').fill('alice');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '查询' }).click()]);
    expect(
      await page.locator('tbody tr[data-action="operator.disabled"] [data-testid=actor]').textContent(),
    ).toBe('alice');
  });
});
