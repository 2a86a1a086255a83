// The xpay adapter wired to the xpay simulator in-process: the transport stands in for the WeChat API
// client (access_token added, body sent as is) and the pushes are collected instead of sent.
import type { WechatPost } from '../../src/adapters/payment/xpay';
import { createXpaySimulator } from '../../src/adapters/sandbox/xpay/simulator';

export const APP_KEYS = { 0: 'live-appkey-for-tests', 1: 'sandbox-appkey-for-tests' } as const;
export const OFFER_ID = '1450000001';

export function xpayHarness() {
  const sessions = new Map<string, string>();
  const pushed: Record<string, unknown>[] = [];
  let acknowledge = true;
  const sim = createXpaySimulator({
    offerId: OFFER_ID,
    appKeys: APP_KEYS,
    sessionKeyOf: (openid) => sessions.get(openid),
    checkToken: (url) =>
      url.searchParams.get('access_token') === 'good-token'
        ? { ok: true }
        : { errcode: 40001, errmsg: 'invalid' },
    send: async (message, opts) => {
      pushed.push(message as Record<string, unknown>);
      opts.onAttempt({ status: 200, acknowledged: acknowledge });
      return { acknowledged: acknowledge };
    },
    timeScale: 0,
  });
  let bodies: string[] = [];
  const api: WechatPost = {
    async post(path, body, query = {}) {
      bodies.push(body);
      const url = new URL(`http://sandbox${path}`);
      url.search = new URLSearchParams({ ...query, access_token: 'good-token' }).toString();
      const res = await sim.handle(new Request(url.toString(), { method: 'POST', body }), url);
      if (!res) return { kind: 'unknown', reason: 'http_status', detail: 'no route' };
      const json = (await res.json()) as Record<string, unknown>;
      const errcode = json.errcode as number;
      return errcode === 0
        ? { kind: 'ok', body: json }
        : { kind: 'error', errcode, errmsg: String(json.errmsg), body: json };
    },
  };
  const control = async (path: string, body?: unknown) => {
    const url = new URL(`http://sandbox${path}`);
    const req = new Request(url.toString(), {
      method: body === undefined ? 'GET' : 'POST',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const res = (await sim.handle(req, url))!;
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return {
    sim,
    api,
    sessions,
    pushed,
    control,
    sentBodies: () => bodies,
    resetBodies: () => {
      bodies = [];
    },
    setAcknowledge: (v: boolean) => {
      acknowledge = v;
    },
  };
}
