import { beforeEach, describe, expect, it } from 'bun:test';
import { anEntry } from '../support/builders';
import type { MakeRepositories, Repositories } from './repositories';

export function ledgerContract(make: MakeRepositories) {
  describe('Ledger', () => {
    let repos: Repositories;
    beforeEach(async () => {
      repos = await make();
    });

    it('appends, reads the head and lists newest first', async () => {
      const e1 = await repos.ledger.insert(anEntry());
      const e2 = await repos.ledger.insert(
        anEntry({ seq: 2, balanceAfter: 200, idempotencyKey: 'purchase:2' }),
      );
      expect(e1).toMatchObject({ ...anEntry() });
      if (e1 === 'duplicate' || e2 === 'duplicate') throw new Error('unexpected duplicate');
      expect(e1.id).not.toBe(e2.id);
      expect(await repos.ledger.head(1)).toEqual(e2);
      expect(await repos.ledger.head(2)).toBeNull();
      expect(await repos.ledger.list(1, { skip: 0, limit: 10 })).toEqual([e2, e1]);
      expect(await repos.ledger.list(1, { skip: 1, limit: 5 })).toEqual([e1]);
      expect(await repos.ledger.findByKey('purchase:2')).toEqual(e2);
      expect(await repos.ledger.findByKey('purchase:3')).toBeNull();
    });

    it('rejects a second entry with the same (user, seq)', async () => {
      await repos.ledger.insert(anEntry());
      expect(await repos.ledger.insert(anEntry({ idempotencyKey: 'purchase:other' }))).toBe('duplicate');
      expect(await repos.ledger.insert(anEntry({ userId: 2, idempotencyKey: 'purchase:u2' }))).not.toBe(
        'duplicate',
      );
    });

    it('rejects a second entry with the same idempotency key', async () => {
      await repos.ledger.insert(anEntry());
      expect(await repos.ledger.insert(anEntry({ seq: 2 }))).toBe('duplicate');
      expect(await repos.ledger.insert(anEntry({ userId: 3 }))).toBe('duplicate');
    });

    it('lets exactly one of 25 concurrent writers take a seq', async () => {
      const results = await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          repos.ledger.insert(anEntry({ seq: 1, idempotencyKey: `k${i}` })),
        ),
      );
      expect(results.filter((r) => r !== 'duplicate')).toHaveLength(1);
      expect(await repos.ledger.list(1, { skip: 0, limit: 100 })).toHaveLength(1);
    });
  });
}
