import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { FixedClock } from '../../src/adapters/system/clock';
import { STATEMENT_TIME_ZONE } from '../../src/domain/statement';
import { localDay } from '../../src/domain/time';
import { type HttpHarness, httpHarness } from './harness';

// The in-process sandbox stamps trades with the real time; the app's clock starts there and is
// moved past Beijing midnight to see what a day that is over gets: a stored, final report.
describe('statement reports over HTTP (SPEC: admin)', () => {
  let h: HttpHarness;
  let clock: FixedClock;
  beforeAll(async () => {
    clock = new FixedClock(new Date());
    h = await httpHarness({ clock, adminCodes: ['statement-admin'] });
  });
  afterAll(() => h.stop());

  it('answers today provisionally and stores nothing; once the day is over, stores the one final report', async () => {
    const date = localDay(clock.now(), STATEMENT_TIME_ZONE);
    const { token: admin } = await h.login('statement-admin');
    const today = await h.request('POST', `/api/admin/statements/${date}/run`, { token: admin });
    expect(today.status).toBe(200);
    expect(today.body).toMatchObject({ date, provisional: true });
    expect((await h.request('GET', `/api/admin/statements/${date}`, { token: admin })).body).toEqual({
      detail: '今日的对账报告在次日生成（今日可运行临时核对）',
    });

    clock.advance(24 * 3_600_000);
    const { token } = await h.login('statement-admin');
    const final = await h.request('POST', `/api/admin/statements/${date}/run`, { token });
    expect(final.body).toMatchObject({ date, provisional: false });
    const stored = await h.request('GET', `/api/admin/statements/${date}`, { token });
    expect(stored.body).toEqual(final.body);
    expect((await h.request('GET', '/api/admin/statements/', { token })).body).toEqual([final.body]);
    // Times as everywhere else in the API: local (TZ), no offset; a past date without a report says so.
    expect(final.body.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    expect((await h.request('GET', '/api/admin/statements/2020-01-01', { token })).body).toEqual({
      detail: '该日期尚无对账报告',
    });
    // A day with a report is not run again.
    expect((await h.request('POST', `/api/admin/statements/${date}/run`, { token })).body).toEqual(
      final.body,
    );
  });
});
