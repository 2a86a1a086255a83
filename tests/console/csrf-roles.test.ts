import { describe, expect, it } from 'bun:test';
import { Jar, PW, setup } from './harness';

describe('console CSRF', () => {
  async function loggedIn() {
    const s = await setup();
    await s.jar.login('alice', PW);
    return { ...s, csrf: await s.jar.csrfOf('/admin/operators') };
  }
  const create = { username: 'mallory', role: 'admin', password: 'a long enough password' };

  it.each([
    ['no token', {}, {}],
    ['a wrong token', { _csrf: 'x'.repeat(43) }, {}],
    ['a cross-site Origin', 'right', { origin: 'https://evil.example' }],
    ['Sec-Fetch-Site: cross-site', 'right', { 'sec-fetch-site': 'cross-site' }],
  ] as const)('refuses a state change with %s (403) and changes nothing', async (_name, token, headers) => {
    const { jar, deps, csrf } = await loggedIn();
    const fields = token === 'right' ? { _csrf: csrf } : token;
    const r = await jar.post('/admin/operators', { ...create, ...fields }, headers);
    expect(r.status).toBe(403);
    expect(await r.text()).toContain('CSRF');
    expect(await deps.operators.findByUsername('mallory')).toBeNull();
  });

  it('answers a script without the token with {detail} JSON', async () => {
    const { jar } = await loggedIn();
    const r = await jar.fetch('/admin/operators', {
      method: 'POST',
      body: JSON.stringify(create),
      headers: { 'content-type': 'application/json' },
    });
    expect(r.status).toBe(403);
    expect(await r.json()).toEqual({ detail: expect.stringContaining('CSRF') });
  });

  it("refuses another session's token", async () => {
    const { jar, app } = await loggedIn();
    const other = new Jar(app);
    await other.login('alice', PW);
    const otherCsrf = await other.csrfOf('/admin/operators');
    expect((await jar.post('/admin/operators', { ...create, _csrf: otherCsrf })).status).toBe(403);
  });

  it('accepts the token as a form field or as X-CSRF-Token', async () => {
    const { jar, deps, csrf } = await loggedIn();
    expect((await jar.post('/admin/operators', { ...create, _csrf: csrf })).status).toBe(303);
    expect(await deps.operators.findByUsername('mallory')).not.toBeNull();
    const r = await jar.post('/admin/operators', { ...create, username: 'trent' }, { 'x-csrf-token': csrf });
    expect(r.status).toBe(303);
  });

  it('keeps the session when a logout comes without the token', async () => {
    const { jar } = await loggedIn();
    expect((await jar.post('/admin/logout', {})).status).toBe(403);
    expect((await jar.fetch('/admin')).status).toBe(200);
  });
});

describe('console roles', () => {
  it.each(['viewer', 'operator'] as const)(
    'refuses a %s the operators page and its actions (403), changing nothing',
    async (role) => {
      const { jar, deps } = await setup(role);
      await jar.login('alice', PW);
      const page = await jar.fetch('/admin/operators');
      expect(page.status).toBe(403);
      expect(await page.text()).toContain('需要「管理员」或更高权限');
      expect(await (await jar.fetch('/admin')).text()).not.toContain('href="/admin/operators"');
      const csrf = await jar.csrfOf('/admin');
      const r = await jar.post('/admin/operators', {
        _csrf: csrf,
        username: 'mallory',
        role: 'admin',
        password: 'a long enough password',
      });
      expect(r.status).toBe(403);
      expect(await deps.operators.findByUsername('mallory')).toBeNull();
      const alice = await deps.operators.findByUsername('alice');
      expect(
        (await jar.post(`/admin/operators/${alice?.id}/role`, { _csrf: csrf, role: 'admin' })).status,
      ).toBe(403);
      expect((await deps.operators.findByUsername('alice'))?.role).toBe(role);
    },
  );

  it('does not let an admin disable or demote themselves', async () => {
    const { jar, deps, alice } = await setup();
    await jar.login('alice', PW);
    const csrf = await jar.csrfOf('/admin/operators');
    expect((await jar.post(`/admin/operators/${alice.id}/disable`, { _csrf: csrf })).status).toBe(400);
    expect(
      (await jar.post(`/admin/operators/${alice.id}/role`, { _csrf: csrf, role: 'viewer' })).status,
    ).toBe(400);
    expect(await deps.operators.findById(alice.id)).toMatchObject({ role: 'admin', disabled: false });
  });
});
