// The app with PAYMENT_PROVIDER=xpay over memory storage, against an in-process sandbox whose xpay
// simulator records the pushes it would send. Requests go through app.handle.
import { sealedSessionKeys } from '../../src/adapters/crypto/sealed-session-keys';
import { MemorySessionKeys } from '../../src/adapters/memory/session-keys';
import { createXpayPayments, type WechatPost, type XpayConfig } from '../../src/adapters/payment/xpay';
import { sandboxOpenid } from '../../src/adapters/sandbox/login';
import { createXpaySimulator } from '../../src/adapters/sandbox/xpay/simulator';
import type { AppDeps } from '../../src/app/http/context';
import { createApp } from '../../src/app/http/create-app';
import { xpayLookup, xpayPushHandlers } from '../../src/app/xpay';
import { SANDBOX_APPID, startSandbox } from '../sandbox/harness';
import { seeded, testDeps } from '../support/app';

export const XPAY_CONFIG: XpayConfig = { env: 1, offerId: '1450000002', appKey: 'sandbox-appkey-http-tests' };

/** A WeChat API client reduced to what the adapter needs (the shared access_token is another test's subject). */
export function plainPost(base: string): WechatPost {
  return {
    async post(path, body, query = {}) {
      const url = new URL(`${base}${path}`);
      url.search = new URLSearchParams({ ...query, access_token: 'test-token' }).toString();
      const res = await fetch(url, { method: 'POST', body });
      const json = (await res.json()) as Record<string, unknown>;
      const errcode = Number(json.errcode ?? 0);
      return errcode === 0
        ? { kind: 'ok', body: json }
        : { kind: 'error', errcode, errmsg: String(json.errmsg), body: json };
    },
  };
}

export async function xpayHttpHarness(opts: { virtualPayment?: boolean; adminCodes?: string[] } = {}) {
  const sessions = new Map<string, string>();
  const pushes: Record<string, unknown>[] = [];
  const xpay = createXpaySimulator({
    offerId: XPAY_CONFIG.offerId,
    appKeys: { 0: 'live-appkey-http-tests', 1: XPAY_CONFIG.appKey },
    sessionKeyOf: (openid) => sessions.get(openid),
    checkToken: () => ({ ok: true }),
    send: async (message, opts) => {
      pushes.push(message as Record<string, unknown>);
      opts.onAttempt({ status: null, acknowledged: false });
      return { acknowledged: false };
    },
    timeScale: 0,
  });
  const sandbox = startSandbox({ sessionKeys: sessions, routes: [xpay.handle] });
  const base = testDeps({ gatewayUrl: sandbox.url, wechatApiBase: sandbox.url });
  const rawKeys = new MemorySessionKeys();
  const settings = { ...base.deps.settings, virtualPayment: opts.virtualPayment ?? true };
  const deps: AppDeps = {
    ...base.deps,
    sessionKeys: sealedSessionKeys(rawKeys, Buffer.alloc(32, 3)),
    payments: createXpayPayments(XPAY_CONFIG, plainPost(sandbox.url), xpayLookup(base.deps)),
    gatewayNotifications: undefined,
    settings: {
      ...settings,
      adminOpenids: (opts.adminCodes ?? []).map((c) => sandboxOpenid(SANDBOX_APPID, c)),
    },
  };
  await seeded(deps);
  const app = createApp(deps);
  const request = async (method: string, path: string, init: { token?: string; body?: unknown } = {}) => {
    const res = await app.handle(
      new Request(`http://localhost${path}`, {
        method,
        headers: {
          ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      }),
    );
    const text = await res.text();
    // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON shapes.
    return { status: res.status, body: (text ? JSON.parse(text) : null) as any };
  };
  let codes = 0;
  const login = async (code: string) => {
    const res = await request('POST', '/api/auth/login', { body: { code: `${code}.${++codes}` } });
    return { token: res.body.access_token as string, user: res.body.user as { id: number; openid: string } };
  };
  const sim = async (path: string, body?: unknown) => {
    const res = await fetch(`${sandbox.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON shapes.
    return { status: res.status, body: (await res.json()) as any };
  };
  return {
    deps,
    settings,
    logs: base.logs,
    rawKeys,
    sessions,
    pushes,
    handlers: xpayPushHandlers(deps, XPAY_CONFIG),
    request,
    login,
    sim,
    stop: () => sandbox.stop(),
  };
}
