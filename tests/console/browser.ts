// Drives the console in real headless Chromium (playwright-core + the Chromium scripts/test.ts finds):
// the app listens on a real TCP port over memory storage, exactly as createApp serves it.
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { FixedClock } from '../../src/adapters/system/clock';
import type { AppDeps } from '../../src/app/http/context';
import { createApp } from '../../src/app/http/create-app';
import { consoleApp, createOperator } from './harness';

export { createOperator };

export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath}; run \`npm test\``);
  return chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export interface ConsoleServer {
  readonly deps: AppDeps;
  readonly clock: FixedClock;
  /** http://127.0.0.1:<port> */
  readonly base: string;
  stop(): Promise<void>;
}

/** The app on 127.0.0.1 and a free port, over memory storage and a clock the test moves. */
export function startConsole(): ConsoleServer {
  const clock = new FixedClock(new Date('2026-11-27T02:00:00Z'));
  const { deps } = consoleApp({ clock });
  const app = createApp(deps).listen({ port: 0, hostname: '127.0.0.1' });
  const port = app.server?.port;
  if (!port) throw new Error('the console did not start listening');
  return {
    deps,
    clock,
    base: `http://127.0.0.1:${port}`,
    stop: async () => {
      await app.stop(true);
    },
  };
}

/**
 * Fills the login form as a person would and waits for the page it leads to. The page's context
 * carries the server as its `baseURL` (see `newPage`).
 */
export async function loginAs(page: Page, username: string, password: string, code?: string) {
  await page.goto('/admin/login');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  if (code) await page.getByLabel('动态验证码').fill(code);
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '登录' }).click()]);
}

/** A fresh browser profile (no cookies) aimed at the server. */
export async function newPage(browser: Browser, server: ConsoleServer): Promise<Page> {
  const context = await browser.newContext({ baseURL: server.base, locale: 'zh-CN' });
  return context.newPage();
}
