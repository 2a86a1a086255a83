import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import type { Users } from '../../src/domain/ports';
import { auditAndWait, type HttpHarness, httpHarness } from './harness';

/**
 * The audit's first read is `users.scan()`: counting its calls counts the runs, and holding it
 * keeps a run in progress for as long as a test needs.
 */
const scans = { started: 0, fail: false, gate: Promise.resolve() };
const holdScans = () => {
  let release = () => {};
  scans.gate = new Promise<void>((r) => {
    release = r;
  });
  return release;
};
const counted = (users: Users): Users => ({
  findById: (id) => users.findById(id),
  findByOpenid: (openid) => users.findByOpenid(openid),
  ensure: (openid, now) => users.ensure(openid, now),
  update: (id, patch, now, version) => users.update(id, patch, now, version),
  endSessions: (id, which, now) => users.endSessions(id, which, now),
  async *scan() {
    scans.started++;
    await scans.gate;
    if (scans.fail) throw new Error('store unreachable');
    yield* users.scan();
  },
});

let h: HttpHarness;
let admin: string;
beforeAll(async () => {
  h = await httpHarness({
    adminCodes: ['auditor'],
    wrap: (deps) => ({ ...deps, users: counted(deps.users) }),
  });
  admin = (await h.login('auditor')).token;
});
afterAll(() => h.stop());

const get = () => h.request('GET', '/api/admin/audit', { token: admin });
const post = () => h.request('POST', '/api/admin/audit', { token: admin });

describe('the audit in the background', () => {
  it('answers "no report" before the first run', async () => {
    expect(await get()).toMatchObject({
      status: 200,
      body: { running: false, running_since: null, report: null, last_failure: null },
    });
  });

  it('refuses a user, no token and a malformed body, and starts nothing', async () => {
    const user = (await h.login('not-an-auditor')).token;
    const refused = await h.request('POST', '/api/admin/audit', { token: user });
    expect(refused).toMatchObject({ status: 403, body: { detail: '需要管理员权限' } });
    expect((await h.request('GET', '/api/admin/audit', { token: user })).status).toBe(403);
    expect((await h.request('POST', '/api/admin/audit')).status).toBe(401);
    const malformed = await h.request('POST', '/api/admin/audit', { token: admin, raw: '{"x":' });
    expect(malformed).toMatchObject({ status: 400, body: { detail: '请求体不是合法的 JSON' } });
    const put = await h.request('PUT', '/api/admin/audit', { token: admin });
    expect(put).toMatchObject({ status: 405, body: { detail: expect.stringContaining('GET 或 POST') } });
    expect(scans.started).toBe(0);
  });

  it('answers 202 at once, runs one scan however often it is asked, then shows the stored report', async () => {
    const release = holdScans();
    const first = await post();
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ running: true, started_at: expect.any(String) });
    const during = await get();
    expect(during.body).toEqual({
      running: true,
      running_since: first.body.started_at,
      report: null,
      last_failure: null,
    });
    const again = await Promise.all([post(), post()]);
    for (const a of again) expect(a).toMatchObject({ status: 202, body: first.body });
    expect(scans.started).toBe(1);
    release();
    const done = await auditAndWait(h, admin);
    // auditAndWait's own POST found nothing running: a second run, and its report is the latest.
    expect(scans.started).toBe(2);
    expect(done).toMatchObject({ running: false, running_since: null });
    expect(done.report).toMatchObject({ trigger: 'api', ok: true, violations: {}, findings: [] });
    expect(Object.keys(done.report).sort()).toEqual(
      ['findings', 'finished_at', 'id', 'ok', 'scanned', 'started_at', 'trigger', 'violations'].sort(),
    );
    expect(done.report.scanned.users).toBeGreaterThan(0);
    expect(h.logs.filter((l) => l.event === 'audit.clean')).toHaveLength(2);
  });

  it('logs a failed run, keeps the last report and lets the next request start again', async () => {
    const before = (await get()).body.report;
    scans.fail = true;
    const failed = await auditAndWait(h, admin);
    scans.fail = false;
    expect(h.logs.find((l) => l.event === 'audit.failed')?.fields).toEqual({ error: 'store unreachable' });
    expect(failed.report).toEqual(before);
    // Said beside the previous report, so it is not taken for the run just asked for.
    expect(failed.last_failure).toEqual({
      started_at: expect.any(String),
      failed_at: expect.any(String),
      error: 'store unreachable',
    });
    const next = await auditAndWait(h, admin);
    expect(next.report.id).not.toBe(before.id);
    expect(next.last_failure).toBeNull();
  });
});
