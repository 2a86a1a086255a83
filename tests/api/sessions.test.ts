import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { TEST_JWT } from '../support/app';
import { forgeToken, type HttpHarness, httpHarness } from './harness';

let h: HttpHarness;
let admin: string;
beforeAll(async () => {
  h = await httpHarness({ adminCodes: ['sessions-admin'] });
  admin = (await h.login('sessions-admin')).token;
});
afterAll(() => h.stop());

let codes = 0;
const login = (name: string, body: Record<string, unknown> = {}) =>
  h.request('POST', '/api/auth/login', { body: { code: `${name}.s${++codes}`, ...body } });
const me = (token: string) => h.request('GET', '/api/users/me', { token });
const refresh = (refresh_token: string) =>
  h.request('POST', '/api/auth/refresh', { body: { refresh_token } });
const ENDED = { detail: '登录已失效，请重新登录' };

describe('login as the seed document has it', () => {
  it('answers exactly {access_token, token_type, expires_in, user} with the long token', async () => {
    const res = await login('seed-client');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['access_token', 'expires_in', 'token_type', 'user']);
    expect(res.body.expires_in).toBe(TEST_JWT.expiresIn);
    expect((await me(res.body.access_token)).status).toBe(200);
  });

  it('keeps accepting a token issued before sessions existed (no sid, no generation)', async () => {
    const { user } = await h.login('legacy-holder');
    const legacy = await forgeToken({ sub: String(user.id) });
    expect((await me(legacy)).status).toBe(200);
  });
});

describe('logout', () => {
  it('ends this session at once and leaves the user’s other sessions alone', async () => {
    const phone = (await login('two-devices')).body.access_token;
    const tablet = (await login('two-devices')).body.access_token;
    const out = await h.request('POST', '/api/auth/logout', { token: phone });
    expect(out.body).toEqual({ message: '已退出登录' });
    expect(await me(phone)).toMatchObject({ status: 401, body: ENDED });
    expect((await me(tablet)).status).toBe(200);
    // Replaying the ended token against any route: still refused.
    expect(
      (await h.request('POST', '/api/orders/create', { token: phone, body: { product_id: 1 } })).status,
    ).toBe(401);
  });

  it('with a token from before sessions had ids, ends every session (nothing else names it)', async () => {
    const { token, user } = await h.login('legacy-logout');
    const legacy = await forgeToken({ sub: String(user.id) });
    expect((await h.request('POST', '/api/auth/logout', { token: legacy })).status).toBe(200);
    expect((await me(legacy)).status).toBe(401);
    expect((await me(token)).status).toBe(401);
  });

  it('everywhere ends every token of the user, refresh tokens included', async () => {
    const a = (await login('everywhere')).body.access_token;
    const b = (await login('everywhere', { refresh: true })).body;
    const other = (await login('bystander')).body.access_token;
    expect((await h.request('POST', '/api/auth/logout-all', { token: a })).body).toEqual({
      message: '已在所有设备退出登录',
    });
    expect(await me(a)).toMatchObject({ status: 401, body: ENDED });
    expect(await me(b.access_token)).toMatchObject({ status: 401, body: ENDED });
    expect(await refresh(b.refresh_token)).toMatchObject({ status: 401, body: ENDED });
    expect((await me(other)).status).toBe(200);
    expect((await me((await login('everywhere')).body.access_token)).status).toBe(200);
  });
});

describe('the refresh flow (opt-in)', () => {
  it('gives a short access token and a refresh token that rotates', async () => {
    const first = (await login('refresher', { refresh: true })).body;
    expect(first.expires_in).toBe(TEST_JWT.accessSeconds);
    expect(first.refresh_expires_in).toBe(TEST_JWT.refreshSeconds);
    const next = await refresh(first.refresh_token);
    expect(next.status).toBe(200);
    expect(Object.keys(next.body).sort()).toEqual([
      'access_token',
      'expires_in',
      'refresh_expires_in',
      'refresh_token',
      'token_type',
    ]);
    expect(next.body.refresh_token).not.toBe(first.refresh_token);
    expect((await me(next.body.access_token)).status).toBe(200);
    expect((await refresh(next.body.refresh_token)).status).toBe(200);
  });

  it('treats a refresh token used twice as stolen: the whole session ends', async () => {
    const first = (await login('stolen', { refresh: true })).body;
    const owner = (await refresh(first.refresh_token)).body;
    const thief = await refresh(first.refresh_token);
    expect(thief).toMatchObject({ status: 401, body: ENDED });
    expect((await me(owner.access_token)).status).toBe(401);
    expect((await refresh(owner.refresh_token)).status).toBe(401);
  });

  it('lets only one of 20 concurrent uses of one refresh token through', async () => {
    const first = (await login('racing-refresh', { refresh: true })).body;
    const results = await Promise.all(Array.from({ length: 20 }, () => refresh(first.refresh_token)));
    expect(results.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
    expect(results.filter((r) => r.status === 401).length).toBeGreaterThanOrEqual(19);
  });

  it('never accepts one kind of token as the other', async () => {
    const tokens = (await login('kinds', { refresh: true })).body;
    expect((await me(tokens.refresh_token)).status).toBe(401);
    expect((await refresh(tokens.access_token)).status).toBe(401);
    expect((await refresh('not-a-token')).status).toBe(401);
    expect((await refresh('x'.repeat(5000))).status).toBe(400);
  });

  it('is refused for a disabled user, and stays ended once the user is enabled again', async () => {
    const tokens = (await login('to-disable', { refresh: true })).body;
    const id = tokens.user.id;
    await h.request('PATCH', `/api/admin/users/${id}`, { token: admin, body: { is_active: false } });
    expect(await refresh(tokens.refresh_token)).toMatchObject({
      status: 403,
      body: { detail: '用户已被禁用' },
    });
    await h.request('PATCH', `/api/admin/users/${id}`, { token: admin, body: { is_active: true } });
    expect(await refresh(tokens.refresh_token)).toMatchObject({ status: 401, body: ENDED });
  });
});

describe('caching of personal answers', () => {
  it('marks tokens and personal data no-store, and every answer carries the security headers', async () => {
    const res = await login('no-store');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const token = res.body.access_token;
    for (const path of [
      '/api/users/me',
      '/api/orders/',
      '/api/credits/transactions',
      '/api/products/',
      '/nope',
    ]) {
      const r = await h.request('GET', path, { token });
      expect([path, r.headers.get('cache-control')]).toEqual([path, 'no-store']);
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('x-frame-options')).toBe('DENY');
      expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(r.headers.get('x-request-id')).toBeTruthy();
    }
    const unauthorized = await h.request('GET', '/api/users/me');
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('cache-control')).toBe('no-store');
  });
});
