import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { sandboxOpenid } from '../../src/adapters/sandbox/login';
import { createJscode2Session } from '../../src/adapters/wechat/jscode2session';
import type { WechatLogin } from '../../src/domain/ports';
import { SANDBOX_APPID, startSandbox } from '../sandbox/harness';

let sb: ReturnType<typeof startSandbox>;
let login: WechatLogin;

beforeAll(() => {
  sb = startSandbox();
  login = createJscode2Session({
    baseUrl: sb.url,
    appid: SANDBOX_APPID,
    secret: 'app-secret',
    timeoutMs: 1000,
  });
});
afterAll(() => sb.stop());

describe('WechatJscode2Session against the sandbox', () => {
  it('maps the same user to the same openid, with a fresh session_key per login', async () => {
    const first = await login.exchange('alice');
    expect(first).toMatchObject({ ok: true, openid: sandboxOpenid(SANDBOX_APPID, 'alice') });
    const again = await login.exchange('alice');
    expect(again.ok && again.openid).toBe(first.ok && first.openid);
    expect(again.ok && again.sessionKey).not.toBe(first.ok && first.sessionKey);
    expect((await login.exchange('bob')).ok && true).toBe(true);
    expect(await login.exchange('bob')).not.toMatchObject({ openid: first.ok && first.openid });
  });

  it('gives 28-character openids starting with o', async () => {
    const res = await login.exchange('carol');
    expect(res.ok && res.openid).toMatch(/^o[A-Za-z0-9_-]{27}$/);
  });

  const errors: [string, string][] = [
    ['x'.repeat(65), 'code_invalid'], // 40029: the sandbox's codes are at most 64 characters
    ['used_1', 'code_invalid'], // 40163
    ['ratelimit_1', 'rate_limited'], // 45011
    ['blocked_1', 'user_blocked'], // 40226
    ['busy_1', 'unavailable'], // -1 system busy
    ['has space', 'code_invalid'], // refused locally, never sent
  ];
  for (const [code, reason] of errors) {
    it(`maps ${code.slice(0, 12)} to ${reason}`, async () => {
      expect(await login.exchange(code)).toMatchObject({ ok: false, reason });
    });
  }

  it('is unavailable when the appid is wrong (a configuration error, not the user)', async () => {
    const wrong = createJscode2Session({
      baseUrl: sb.url,
      appid: 'wx0000000000wrong',
      secret: 's',
      timeoutMs: 1000,
    });
    expect(await wrong.exchange('alice')).toMatchObject({ ok: false, reason: 'unavailable' });
  });
});

describe('WechatJscode2Session when WeChat misbehaves', () => {
  it('is unavailable when nothing listens', async () => {
    const l = createJscode2Session({
      baseUrl: 'http://127.0.0.1:1',
      appid: SANDBOX_APPID,
      secret: 'top-secret',
      timeoutMs: 500,
    });
    const res = await l.exchange('alice');
    expect(res).toMatchObject({ ok: false, reason: 'unavailable' });
    expect(JSON.stringify(res)).not.toContain('top-secret');
  });

  const cases: [string, () => Response | Promise<Response>][] = [
    ['HTTP 502', () => new Response('bad gateway', { status: 502 })],
    ['garbage', () => new Response('<html></html>')],
    ['an empty object', () => Response.json({})],
    ['a hang', () => new Promise<Response>(() => {})],
  ];
  for (const [name, respond] of cases) {
    it(`is unavailable on ${name}`, async () => {
      const server = Bun.serve({ port: 0, fetch: respond });
      try {
        const l = createJscode2Session({
          baseUrl: `http://localhost:${server.port}`,
          appid: SANDBOX_APPID,
          secret: 's',
          timeoutMs: 200,
        });
        expect(await l.exchange('alice')).toMatchObject({ ok: false, reason: 'unavailable' });
      } finally {
        await server.stop(true);
      }
    });
  }

  it('accepts JSON labelled text/plain, as WeChat sometimes sends it', async () => {
    const server = Bun.serve({
      port: 0,
      fetch: () =>
        new Response('{"openid":"oABC","session_key":"k"}', { headers: { 'content-type': 'text/plain' } }),
    });
    try {
      const l = createJscode2Session({
        baseUrl: `http://localhost:${server.port}`,
        appid: SANDBOX_APPID,
        secret: 's',
        timeoutMs: 500,
      });
      expect(await l.exchange('alice')).toEqual({ ok: true, openid: 'oABC', sessionKey: 'k' });
    } finally {
      await server.stop(true);
    }
  });
});
