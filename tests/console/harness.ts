// HTTP-level helpers for the console: an app over memory storage, operators created through the use
// case, and a cookie jar that logs in exactly as a browser does (login page → form POST).

import { expect } from 'bun:test';
import { FixedClock } from '../../src/adapters/system/clock';
import { LOGIN_CSRF_COOKIE, SESSION_COOKIE } from '../../src/app/console/cookies';
import { LOGIN_FAILED } from '../../src/app/console/pages/login';
import type { AppDeps } from '../../src/app/http/context';
import { createApp } from '../../src/app/http/create-app';
import { createOperator as createOperatorUseCase } from '../../src/domain/operators/manage';
import type { Operator, OperatorRole } from '../../src/domain/operators/operator';
import type { Clock } from '../../src/domain/ports';
import { testDeps } from '../support/app';

export const BASE = 'http://localhost';
const UNUSED_URL = 'http://127.0.0.1:9';
export const CLI_ACTING = { actor: { id: null, username: 'test-setup' }, ip: 'test' } as const;

export function consoleApp(opts: { clock?: Clock; abuseEnv?: Record<string, string> } = {}) {
  const { deps, logs } = testDeps({
    gatewayUrl: UNUSED_URL,
    wechatApiBase: UNUSED_URL,
    clock: opts.clock ?? new FixedClock(new Date('2026-11-27T02:00:00Z')),
    ...(opts.abuseEnv ? { abuseEnv: opts.abuseEnv } : {}),
  });
  return { deps, logs, app: createApp(deps) };
}

export async function createOperator(
  deps: AppDeps,
  username: string,
  role: OperatorRole,
  password: string,
): Promise<Operator> {
  const created = await createOperatorUseCase(deps)(CLI_ACTING, { username, role, password });
  if (!created.ok) throw new Error(`createOperator: ${JSON.stringify(created.error)}`);
  return created.value;
}

type Handler = { handle(request: Request): Promise<Response> };

/** Cookies kept across requests, as a browser keeps them for /admin. */
export class Jar {
  readonly cookies = new Map<string, string>();
  constructor(readonly app: Handler) {}

  /** Another browser on the same app: no cookies. */
  fresh(): Jar {
    return new Jar(this.app);
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0 && !headers.has('cookie')) headers.set('cookie', this.header());
    const response = await this.app.handle(
      new Request(`${BASE}${path}`, { ...init, headers, redirect: 'manual' }),
    );
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (/Max-Age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /** A form POST as a browser sends it (same origin). */
  post(
    path: string,
    fields: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return this.fetch(path, {
      method: 'POST',
      body: new URLSearchParams(fields).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: BASE, ...headers },
    });
  }

  /** The `_csrf` of the first form on `path`. */
  async csrfOf(path: string): Promise<string> {
    const page = await (await this.fetch(path)).text();
    const match = /name="_csrf" value="([^"]+)"/.exec(page);
    if (!match?.[1]) throw new Error(`no _csrf on ${path}`);
    return match[1];
  }

  async login(username: string, password: string, code?: string): Promise<Response> {
    const csrf = await this.csrfOf('/admin/login');
    return this.post('/admin/login', { _csrf: csrf, username, password, ...(code ? { code } : {}) });
  }

  get session(): string | undefined {
    return this.cookies.get(SESSION_COOKIE);
  }

  get loginCookie(): string | undefined {
    return this.cookies.get(LOGIN_CSRF_COOKIE);
  }
}

export const PW = 'correct horse battery';

/** A console over memory storage with operator alice (`role`, password PW) and a browser-like jar. */
export async function setup(role: OperatorRole = 'admin') {
  const clock = new FixedClock(new Date('2026-11-27T02:00:00Z'));
  const { app, deps } = consoleApp({ clock });
  const alice = await createOperator(deps, 'alice', role, PW);
  return { app, deps, clock, alice, jar: new Jar(app) };
}

/** The one answer to every failed login. */
export async function failedText(r: Response): Promise<void> {
  expect(r.status).toBe(401);
  expect(await r.text()).toContain(LOGIN_FAILED);
}
