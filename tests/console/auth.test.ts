import { describe, expect, it } from 'bun:test';
import { FixedClock } from '../../src/adapters/system/clock';
import { SESSION_COOKIE } from '../../src/app/console/cookies';
import { safeNext } from '../../src/app/console/pages/login';
import { tokenDigest } from '../../src/app/console/session';
import { consoleApp, createOperator, failedText, Jar, PW, setup } from './harness';

describe('console sessions', () => {
  it('sends a page request without a session to the login page, and refuses anything else with 401', async () => {
    const { jar } = await setup();
    const page = await jar.fetch('/admin/operators?page=2');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/admin/login?next=%2Fadmin%2Foperators%3Fpage%3D2');
    const post = await jar.fetch('/admin/operators', {
      method: 'POST',
      body: JSON.stringify({ username: 'x' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(post.status).toBe(401);
    expect(await post.json()).toEqual({ detail: '请先登录运营后台' });
  });

  it('logs in with an HttpOnly, SameSite=Strict cookie on /admin whose token is stored only as a digest', async () => {
    const { jar, deps } = await setup();
    const r = await jar.login('Alice', PW);
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/admin');
    const cookie = r.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`)) ?? '';
    expect(cookie).toMatch(/; Path=\/admin; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    const token = jar.session ?? '';
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(await deps.operatorSessions.find(token)).toBeNull();
    expect((await deps.operatorSessions.find(tokenDigest(token)))?.ended).toBe(false);
    const home = await jar.fetch('/admin');
    expect(home.status).toBe(200);
    const text = await home.text();
    expect(text).toContain('data-testid="operator-name">alice<');
    expect(home.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(home.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(home.headers.get('cache-control')).toBe('no-store');
  });

  it('marks the cookie Secure when the console is served over HTTPS', async () => {
    const clock = new FixedClock();
    const { deps } = consoleApp({ clock });
    const secureDeps = { ...deps, console: { ...deps.console, secureCookie: true } };
    const { createApp } = await import('../../src/app/http/create-app');
    const app = createApp(secureDeps);
    await createOperator(secureDeps, 'alice', 'admin', PW);
    const r = await new Jar(app).login('alice', PW);
    expect(r.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))).toContain('; Secure');
  });

  it('goes back to the page that asked for the login, never to another site', async () => {
    const { jar } = await setup();
    const csrf = await jar.csrfOf('/admin/login?next=%2Fadmin%2Faudit-log');
    const r = await jar.post('/admin/login', {
      _csrf: csrf,
      username: 'alice',
      password: PW,
      next: '/admin/audit-log?day=2026-11-27',
    });
    expect(r.headers.get('location')).toBe('/admin/audit-log?day=2026-11-27');
    for (const evil of [
      '//evil.example',
      'https://evil.example/admin',
      '/admin//evil.example',
      '/api/admin',
      '/admin\\evil',
      '/admin/login',
    ])
      expect(safeNext(evil)).toBe('/admin');
  });

  it('ends the session at logout: the old cookie is useless at once', async () => {
    const { jar, app } = await setup();
    await jar.login('alice', PW);
    const token = jar.session;
    const csrf = await jar.csrfOf('/admin');
    const out = await jar.post('/admin/logout', { _csrf: csrf });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/admin/login');
    expect(jar.session).toBeUndefined();
    const replay = new Jar(app);
    replay.cookies.set(SESSION_COOKIE, token ?? '');
    expect((await replay.fetch('/admin')).status).toBe(303);
  });

  it('refuses the session of an operator disabled by any means, even one that did not end sessions', async () => {
    const { jar, deps, alice } = await setup();
    await jar.login('alice', PW);
    const token = jar.session ?? '';
    await deps.operators.update(alice.id, { disabled: true }, deps.clock.now());
    expect((await jar.fetch('/admin')).status).toBe(303);
    // The session itself was not ended: enabled again, the same cookie works.
    await deps.operators.update(alice.id, { disabled: false }, deps.clock.now());
    jar.cookies.set(SESSION_COOKIE, token);
    expect((await jar.fetch('/admin')).status).toBe(200);
  });

  it('ends every session after the absolute lifetime (12 h)', async () => {
    const { jar, clock } = await setup();
    await jar.login('alice', PW);
    clock.advance(12 * 3600_000 - 1000);
    expect((await jar.fetch('/admin')).status).toBe(200);
    clock.advance(1000);
    expect((await jar.fetch('/admin')).status).toBe(303);
  });

  it('applies a disable, a role change and a password reset to the very next request of that operator', async () => {
    const { jar, deps, app } = await setup();
    await createOperator(deps, 'bob', 'admin', PW);
    const bob = new Jar(app);
    await bob.login('bob', PW);
    await jar.login('alice', PW);
    const bobId = (await deps.operators.findByUsername('bob'))?.id;
    const csrf = await jar.csrfOf('/admin/operators');

    expect((await bob.fetch('/admin/operators')).status).toBe(200);
    await jar.post(`/admin/operators/${bobId}/role`, { _csrf: csrf, role: 'viewer' });
    expect((await bob.fetch('/admin/operators')).status).toBe(403);
    expect((await bob.fetch('/admin')).status).toBe(200);

    await jar.post(`/admin/operators/${bobId}/password`, { _csrf: csrf, password: 'another long password' });
    expect((await bob.fetch('/admin')).status).toBe(303);
    await bob.login('bob', 'another long password');
    expect((await bob.fetch('/admin')).status).toBe(200);

    await jar.post(`/admin/operators/${bobId}/disable`, { _csrf: csrf });
    expect((await bob.fetch('/admin')).status).toBe(303);
    await failedText(await bob.login('bob', 'another long password'));
  });
});

describe('console login failures', () => {
  it('answers an unknown username exactly as a wrong password', async () => {
    const { jar } = await setup();
    const unknown = await jar.login('nobody', PW);
    const wrong = await jar.login('alice', 'wrong password!');
    await failedText(unknown);
    await failedText(wrong);
    expect(jar.session).toBeUndefined();
  });

  it('locks a username after 5 failures in 15 minutes, refuses even the right password while locked, and doubles the next lock', async () => {
    const { jar, clock } = await setup();
    for (let i = 0; i < 5; i++) await failedText(await jar.login('alice', `wrong password ${i}`));
    await failedText(await jar.login('alice', PW));
    clock.advance(59_000);
    await failedText(await jar.login('alice', PW));
    clock.advance(2_000);
    expect((await jar.login('alice', PW)).status).toBe(303);
    // Still the same window: one more failure locks again, for twice as long.
    await failedText(await jar.fresh().login('alice', 'wrong again!!'));
    clock.advance(119_000);
    await failedText(await jar.fresh().login('alice', PW));
    clock.advance(2_000);
    expect((await jar.fresh().login('alice', PW)).status).toBe(303);
  });

  it('locks a client address after 20 failures whatever the usernames', async () => {
    const { jar } = await setup();
    for (let i = 0; i < 20; i++) await failedText(await jar.login(`user${i}`, 'wrong password'));
    await failedText(await jar.login('alice', PW));
  });

  it("counts console logins in the API's login rate limit per address (429 with Retry-After)", async () => {
    const { app, deps } = consoleApp({ abuseEnv: { RATE_LIMIT_LOGIN: 'ip:3/1m' } });
    await createOperator(deps, 'alice', 'admin', PW);
    const jar = new Jar(app);
    for (let i = 0; i < 3; i++) await failedText(await jar.login('alice', 'wrong password!'));
    const limited = await jar.login('alice', PW);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(jar.session).toBeUndefined();
  });

  it('refuses a login form without the login CSRF token or from another site', async () => {
    const { jar } = await setup();
    const csrf = await jar.csrfOf('/admin/login');
    const missing = await jar.post('/admin/login', { username: 'alice', password: PW });
    expect(missing.status).toBe(403);
    const crossSite = await jar.post(
      '/admin/login',
      { _csrf: csrf, username: 'alice', password: PW },
      { origin: 'https://evil.example' },
    );
    expect(crossSite.status).toBe(403);
    const noCookie = jar.fresh();
    expect(
      (await noCookie.post('/admin/login', { _csrf: csrf, username: 'alice', password: PW })).status,
    ).toBe(403);
    expect(jar.session).toBeUndefined();
    expect((await jar.post('/admin/login', { _csrf: csrf, username: 'alice', password: PW })).status).toBe(
      303,
    );
  });
});
