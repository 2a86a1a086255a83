import { beforeEach, describe, expect, it } from 'bun:test';
import type { StoredAuditReport } from '../../src/domain/audit';
import { T0 } from '../support/builders';
import type { MakeRepositories, Repositories } from './repositories';

export function auditReportsContract(make: MakeRepositories) {
  describe('AuditReports', () => {
    let repos: Repositories;
    beforeEach(async () => {
      repos = await make();
    });
    const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
    const run = (id: string, finishedMinute: number, orders = 3): StoredAuditReport => ({
      id,
      trigger: 'api',
      startedAt: at(finishedMinute - 1),
      finishedAt: at(finishedMinute),
      report: {
        ok: false,
        scanned: { users: 2, entries: 5, orders, reviews: 1 },
        violations: { order_status: 1, review_queue: 1 },
        findings: [
          { check: 'order_status', subject: 'order 7', message: 'settled but pending' },
          { check: 'review_queue', subject: 'review 7:unresolved', message: 'open review unresolved: x' },
        ],
      },
    });

    it('answers null before the first run, then the run as stored', async () => {
      expect(await repos.auditReports.latest()).toBeNull();
      expect(await repos.auditReports.save(run('a', 10))).toBe(true);
      expect(await repos.auditReports.latest()).toEqual(run('a', 10));
    });

    it('returns a clean run as stored, its empty violations included (the 数据核查 page reads them)', async () => {
      const clean: StoredAuditReport = {
        ...run('clean', 10),
        report: {
          ok: true,
          scanned: { users: 0, entries: 0, orders: 0, reviews: 0 },
          violations: {},
          findings: [],
        },
      };
      await repos.auditReports.save(clean);
      expect(await repos.auditReports.latest()).toEqual(clean);
    });

    it('keeps the first run of an id: a second save of it changes nothing', async () => {
      await repos.auditReports.save(run('a', 10));
      expect(await repos.auditReports.save(run('a', 20, 99))).toBe(false);
      expect(await repos.auditReports.latest()).toEqual(run('a', 10));
    });

    it('stores one of 10 concurrent writers of an id', async () => {
      const saved = await Promise.all(
        Array.from({ length: 10 }, (_, i) => repos.auditReports.save(run('same', 10, i))),
      );
      expect(saved.filter(Boolean)).toHaveLength(1);
    });

    it('finds the run that finished last, whatever the order of saving or of the ids', async () => {
      await repos.auditReports.save({ ...run('c', 30), trigger: 'daily' });
      await repos.auditReports.save({ ...run('z', 20), trigger: 'cli' });
      await repos.auditReports.save(run('a', 10));
      expect(await repos.auditReports.latest()).toEqual({ ...run('c', 30), trigger: 'daily' });
      // A run that started earlier but finished later is the newer report.
      const slow = { ...run('b', 40), startedAt: at(0) };
      await repos.auditReports.save(slow);
      expect(await repos.auditReports.latest()).toEqual(slow);
    });

    it('breaks a tie of finish times by the higher id', async () => {
      await repos.auditReports.save(run('m', 10, 1));
      await repos.auditReports.save(run('n', 10, 2));
      await repos.auditReports.save(run('k', 10, 3));
      expect((await repos.auditReports.latest())?.id).toBe('n');
    });
  });
}
