import { describe, expect, it } from 'bun:test';
import { FixedClock } from '../../src/adapters/system/clock';
import { base32Decode, otpauthUri, totpAt } from '../../src/domain/operators/totp';
import { consoleApp, createOperator, Jar } from './harness';
import { readQr } from './qr';

const PW = 'correct horse battery';

/** Moves on 1 ms per reading, so every audit entry has its own instant and the order is exact. */
class TickingClock extends FixedClock {
  override now(): Date {
    this.advance(1);
    return super.now();
  }
}

async function setup(opts: { ticking?: boolean } = {}) {
  const at = new Date('2026-11-27T02:00:00Z');
  const clock = opts.ticking ? new TickingClock(at) : new FixedClock(at);
  const { app, deps } = consoleApp({ clock });
  const alice = await createOperator(deps, 'alice', 'admin', PW);
  const jar = new Jar(app);
  await jar.login('alice', PW);
  return { app, deps, clock, alice, jar };
}

const codeFor = (secret: string, at: Date) => totpAt(base32Decode(secret) as Uint8Array, at);

async function enroll(jar: Jar, clock: FixedClock, username = 'alice') {
  const page = await (await jar.fetch('/admin/account')).text();
  const secret = /data-testid="totp-secret">([A-Z2-7]+)</.exec(page)?.[1] ?? '';
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
  // The QR code an authenticator app scans holds the shown secret, for this operator and issuer.
  const qr = readQr(/data-testid="totp-qr"[^>]*>(<svg[\s\S]*?<\/svg>)/.exec(page)?.[1] ?? '');
  expect(qr).toBe(otpauthUri('积分商城运营后台', username, secret));
  expect(qr).toContain(`secret=${secret}`);
  const r = await jar.post('/admin/account/totp', {
    _csrf: csrf,
    secret,
    code: codeFor(secret, clock.now()),
  });
  return { secret, r };
}

describe('TOTP', () => {
  it('is enabled only with a code of the shown secret, then asked for at every login', async () => {
    const { jar, clock, deps, alice } = await setup();
    const csrf = await jar.csrfOf('/admin/account');
    const wrong = await jar.post('/admin/account/totp', {
      _csrf: csrf,
      secret: 'A'.repeat(32),
      code: '000000',
    });
    expect(wrong.status).toBe(400);
    expect((await deps.operators.findById(alice.id))?.totpSecret).toBeNull();

    const { secret, r } = await enroll(jar, clock);
    expect(r.status).toBe(303);
    expect((await deps.operators.findById(alice.id))?.totpSecret).toBe(secret);

    const browser = jar.fresh();
    expect((await browser.login('alice', PW)).status).toBe(401);
    clock.advance(30_000);
    expect(
      (await browser.login('alice', PW, '123456' === codeFor(secret, clock.now()) ? '654321' : '123456'))
        .status,
    ).toBe(401);
    const code = codeFor(secret, clock.now());
    expect((await browser.login('alice', PW, code)).status).toBe(303);
    // The same code again (a replay, a shoulder-surfer) is refused: each step is used once.
    expect((await jar.fresh().login('alice', PW, code)).status).toBe(401);
    // One step of drift either way is accepted.
    clock.advance(30_000);
    expect(
      (await jar.fresh().login('alice', PW, codeFor(secret, new Date(clock.now().getTime() + 30_000))))
        .status,
    ).toBe(303);
  });

  it('can be reset by an admin, after which the password alone logs in', async () => {
    const { jar, clock, deps, app } = await setup();
    await createOperator(deps, 'bob', 'operator', PW);
    const bob = new Jar(app);
    await bob.login('bob', PW);
    await enroll(bob, clock, 'bob');
    const bobId = (await deps.operators.findByUsername('bob'))?.id;
    const csrf = await jar.csrfOf('/admin/operators');
    expect((await jar.post(`/admin/operators/${bobId}/totp-reset`, { _csrf: csrf })).status).toBe(303);
    expect((await deps.operators.findByUsername('bob'))?.totpSecret).toBeNull();
    expect((await bob.fresh().login('bob', PW)).status).toBe(303);
  });
});

describe('my account', () => {
  it('changes the password with the current one, ends the other sessions and keeps this one', async () => {
    const { jar, app } = await setup();
    const other = new Jar(app);
    await other.login('alice', PW);
    const csrf = await jar.csrfOf('/admin/account');
    const bad = await jar.post('/admin/account/password', {
      _csrf: csrf,
      current: 'not it at all',
      password: 'new long password',
      confirm: 'new long password',
    });
    expect(bad.status).toBe(400);
    const short = await jar.post('/admin/account/password', {
      _csrf: csrf,
      current: PW,
      password: 'short',
      confirm: 'short',
    });
    expect(short.status).toBe(400);
    const ok = await jar.post('/admin/account/password', {
      _csrf: csrf,
      current: PW,
      password: 'new long password',
      confirm: 'new long password',
    });
    expect(ok.status).toBe(303);
    expect((await jar.fetch('/admin')).status).toBe(200);
    expect((await other.fetch('/admin')).status).toBe(303);
    expect((await jar.fresh().login('alice', 'new long password')).status).toBe(303);
  });
});

describe('audit log', () => {
  it('records every console action with its actor, and the page lists them by day and filters', async () => {
    const { jar, deps, alice, app } = await setup({ ticking: true });
    await jar.fresh().login('alice', 'wrong password!');
    const csrf = await jar.csrfOf('/admin/operators');
    await jar.post('/admin/operators', { _csrf: csrf, username: 'bob', role: 'viewer', password: PW });
    const bob = (await deps.operators.findByUsername('bob'))?.id ?? 0;
    await jar.post(`/admin/operators/${bob}/role`, { _csrf: csrf, role: 'operator' });
    await jar.post(`/admin/operators/${bob}/disable`, { _csrf: csrf });
    await jar.post(`/admin/operators/${bob}/enable`, { _csrf: csrf });
    await jar.post(`/admin/operators/${bob}/password`, { _csrf: csrf, password: 'a brand new password' });
    const bobJar = new Jar(app);
    await bobJar.login('bob', 'a brand new password');
    await bobJar.post('/admin/logout', { _csrf: await bobJar.csrfOf('/admin') });

    const { entries } = await deps.operatorAudit.listDay({ day: '2026-11-27' }, { skip: 0, limit: 100 });
    const seen = entries.map((e) => `${e.actor.username}:${e.action}`).reverse();
    expect(seen).toEqual([
      'test-setup:operator.created',
      'alice:login.succeeded',
      'alice:login.failed',
      'alice:operator.created',
      'alice:operator.role_changed',
      'alice:operator.disabled',
      'alice:operator.enabled',
      'alice:operator.password_reset',
      'bob:login.succeeded',
      'bob:logout',
    ]);
    const roleChange = entries.find((e) => e.action === 'operator.role_changed');
    expect(roleChange).toMatchObject({
      actor: { id: alice.id, username: 'alice' },
      ip: 'unknown',
      target: { kind: 'operator', id: String(bob) },
      before: { role: 'viewer' },
      after: { role: 'operator' },
    });
    expect(JSON.stringify(entries)).not.toContain('argon2');

    const page = await (await jar.fetch('/admin/audit-log?day=2026-11-27&actor=alice')).text();
    expect(page).toContain('operator.role_changed');
    // Said in Chinese, with the field names the pages use; the code stays for searching.
    expect(page).toContain('修改角色');
    expect(page).toContain('角色：</span>只读（viewer）');
    expect(page).not.toContain('data-action="logout"');
    const byTarget = await (
      await jar.fetch(`/admin/audit-log?day=2026-11-27&kind=operator&target=${bob}`)
    ).text();
    expect(byTarget).toContain('data-action="operator.disabled"');
    expect(byTarget).not.toContain('data-action="login.failed"');
    const otherDay = await (await jar.fetch('/admin/audit-log?day=2026-11-26')).text();
    expect(otherDay).toContain('当天没有记录');
  });
});
