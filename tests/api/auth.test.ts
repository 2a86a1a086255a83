import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { forgeToken, type HttpHarness, httpHarness, noneToken } from './harness';

describe('login and bearer tokens', () => {
  let h: HttpHarness;
  beforeAll(async () => {
    h = await httpHarness();
  });
  afterAll(() => h.stop());

  it('creates the user on first login and returns a bearer token with the profile', async () => {
    const res = await h.request('POST', '/api/auth/login', { body: { code: 'alice' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      token_type: 'bearer',
      expires_in: 3600,
      user: { role: 'user', is_active: true, credits: 0 },
    });
    expect(res.body.access_token.split('.')).toHaveLength(3);
    expect(res.body.user.openid).toMatch(/^o/);
  });

  it('maps the same code to the same user on every login', async () => {
    const a = await h.login('same-person');
    const b = await h.login('same-person');
    expect(a.user.id).toBe(b.user.id);
  });

  it('GET /api/users/me returns the profile and the credit balance', async () => {
    const { token, user } = await h.login('me-user');
    const res = await h.request('GET', '/api/users/me', { token });
    expect(res.body).toMatchObject({ id: user.id, openid: user.openid, credits: 0 });
  });

  for (const [code, status, detail] of [
    ['bad code!', 400, '登录凭证无效或已使用，请重新登录'],
    ['used_123', 400, '登录凭证无效或已使用，请重新登录'],
    ['ratelimit_1', 429, '登录过于频繁，请稍后再试'],
    ['blocked_1', 403, '用户已被微信限制登录'],
    // About WeChat's login, not the payment service.
    ['busy_1', 502, '微信登录服务暂时不可用，请稍后重试'],
  ] as const) {
    it(`answers ${status} {detail} when WeChat rejects the code "${code}"`, async () => {
      const res = await h.request('POST', '/api/auth/login', { body: { code } });
      expect(res.status).toBe(status);
      expect(res.body.detail).toBe(detail);
    });
  }

  for (const body of [{}, { code: '' }, { code: 5 }, { code: { $gt: '' } }]) {
    it(`answers 400 for the login body ${JSON.stringify(body)}`, async () => {
      expect((await h.request('POST', '/api/auth/login', { body })).status).toBe(400);
    });
  }

  it('refuses a disabled user with 403, also for a token issued before', async () => {
    const { token, user } = await h.login('to-disable');
    await h.deps.users.update(user.id, { isActive: false }, new Date());
    const me = await h.request('GET', '/api/users/me', { token });
    expect(me.status).toBe(403);
    expect(me.body).toEqual({ detail: '用户已被禁用' });
    expect((await h.request('POST', '/api/auth/login', { body: { code: 'to-disable' } })).status).toBe(403);
  });

  describe('rejects with 401 {detail}', () => {
    let userId: number;
    beforeAll(async () => {
      userId = (await h.login('jwt-victim')).user.id;
    });
    const cases: [string, () => Promise<string | undefined>][] = [
      ['no header', async () => undefined],
      ['a malformed token', async () => 'not.a.jwt'],
      ['alg none', async () => noneToken({ sub: String(userId) })],
      [
        'a wrong secret',
        () => forgeToken({ sub: String(userId) }, { secret: 'another-secret-another-secret-1234' }),
      ],
      ['a wrong issuer', () => forgeToken({ sub: String(userId), iss: 'evil' })],
      ['a wrong audience', () => forgeToken({ sub: String(userId), aud: 'evil' })],
      ['an expired token', () => forgeToken({ sub: String(userId) }, { expSeconds: -10 })],
      ['a token without sub', () => forgeToken({ sub: undefined })],
      ['a token without exp', () => forgeToken({ sub: String(userId), exp: undefined })],
      ['HS512 instead of HS256', () => forgeToken({ sub: String(userId) }, { alg: 'HS512' })],
      ['an unknown user', () => forgeToken({ sub: '987654' })],
      ['a non-numeric sub', () => forgeToken({ sub: 'admin' })],
    ];
    for (const [name, make] of cases) {
      it(name, async () => {
        const token = await make();
        const res = await h.request('GET', '/api/users/me', { token });
        expect(res.status).toBe(401);
        expect(typeof res.body.detail).toBe('string');
        expect(res.headers.get('www-authenticate')).toBe('Bearer');
      });
    }

    it('a correctly signed token is accepted (control)', async () => {
      const res = await h.request('GET', '/api/users/me', {
        token: await forgeToken({ sub: String(userId) }),
      });
      expect(res.status).toBe(200);
    });
  });
});
