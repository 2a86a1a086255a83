import { describe, expect, it } from 'bun:test';
import fc from 'fast-check';
import { type EntryRequest, type LedgerEntry, nextEntry } from '../../src/domain/ledger';

const now = new Date('2023-07-01T04:00:00Z');

const request = (amount: number, key = 'k1'): EntryRequest => ({
  userId: 1,
  amount,
  type: amount > 0 ? 'purchase' : 'consume',
  description: 'test',
  relatedOrderId: null,
  idempotencyKey: key,
});

const head = (seq: number, balanceAfter: number): LedgerEntry => ({
  ...request(balanceAfter, `k${seq}`),
  id: seq,
  seq,
  balanceAfter,
  createdAt: now,
});

describe('nextEntry', () => {
  it('starts an empty history at seq 1', () => {
    expect(nextEntry(null, request(100), now)).toEqual({
      ok: true,
      value: { ...request(100), seq: 1, balanceAfter: 100, createdAt: now },
    });
  });

  it('follows the head with seq + 1 and the new balance', () => {
    const next = nextEntry(head(4, 100), request(-30), now);
    expect(next.ok && { seq: next.value.seq, balanceAfter: next.value.balanceAfter }).toEqual({
      seq: 5,
      balanceAfter: 70,
    });
  });

  it('allows spending down to exactly zero', () => {
    const next = nextEntry(head(1, 100), request(-100), now);
    expect(next.ok && next.value.balanceAfter).toBe(0);
  });

  it('refuses to go below zero', () => {
    expect(nextEntry(head(1, 100), request(-101), now)).toEqual({
      ok: false,
      error: { kind: 'insufficient_credits' },
    });
  });

  it('refuses any spending from an empty history', () => {
    expect(nextEntry(null, request(-1), now)).toEqual({ ok: false, error: { kind: 'insufficient_credits' } });
  });

  it.each([0, 1.5, -0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])(
    'throws on the amount %p',
    (amount) => {
      expect(() => nextEntry(null, request(amount), now)).toThrow('ledger amount must be a non-zero integer');
    },
  );

  it('records a zero refund (a forced refund that found nothing left), and nothing else at zero', () => {
    const zero = { ...request(0), type: 'refund' as const };
    expect(nextEntry(head(3, 0), zero, now)).toEqual({
      ok: true,
      value: { ...zero, seq: 4, balanceAfter: 0, createdAt: now },
    });
    expect(() => nextEntry(head(3, 0), { ...zero, type: 'adjust' }, now)).toThrow();
  });

  it('keeps the balance equal to the accepted sum, never negative, seq gap-free', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.integer({ min: -1000, max: 1000 }).filter((n) => n !== 0),
          { maxLength: 200 },
        ),
        (amounts) => {
          let current: LedgerEntry | null = null;
          let accepted = 0;
          const seqs: number[] = [];
          for (const [i, amount] of amounts.entries()) {
            const next = nextEntry(current, request(amount, `k${i}`), now);
            if (!next.ok) {
              expect(accepted + amount).toBeLessThan(0);
              continue;
            }
            accepted += amount;
            current = { ...next.value, id: i + 1 };
            seqs.push(current.seq);
            expect(current.balanceAfter).toBe(accepted);
            expect(current.balanceAfter).toBeGreaterThanOrEqual(0);
          }
          expect(seqs).toEqual(seqs.map((_, i) => i + 1));
        },
      ),
    );
  });
});
