import { describe, expect, it } from 'bun:test';
import fc from 'fast-check';
import {
  decideDeduction,
  deductionText,
  gaveUp,
  makeOutRefundNo,
  outcomeOf,
  type RefundEvent,
  type RefundOutcome,
  refundKey,
  refundState,
  reversalKey,
} from '../../src/domain/refund';

const T = new Date('2023-07-01T04:00:00Z');
const processing: RefundEvent = {
  outRefundNo: 'R1',
  stage: 'processing',
  refundId: '50',
  source: 'admin',
  at: T,
};
const final = (outcome: RefundOutcome): RefundEvent => ({
  outRefundNo: 'R1',
  stage: 'final',
  outcome,
  refundId: '50',
  detail: '',
  source: 'follow',
  at: T,
});

describe('decideDeduction', () => {
  it('takes everything or refuses without force; takes what is left with force', () => {
    expect(decideDeduction(100, 100, false)).toEqual({ ok: true, value: { amount: 100, shortfall: 0 } });
    expect(decideDeduction(99, 100, false)).toEqual({
      ok: false,
      error: { kind: 'refund_insufficient_credits' },
    });
    expect(decideDeduction(40, 100, true)).toEqual({ ok: true, value: { amount: 40, shortfall: 60 } });
    expect(decideDeduction(0, 100, true)).toEqual({ ok: true, value: { amount: 0, shortfall: 100 } });
  });

  it('never goes below zero, never takes more than owed, and accounts for every credit owed', () => {
    fc.assert(
      fc.property(
        fc.nat(10_000),
        fc.integer({ min: 1, max: 10_000 }),
        fc.boolean(),
        (balance, owed, force) => {
          const d = decideDeduction(balance, owed, force);
          if (!d.ok) {
            expect(force).toBe(false);
            expect(balance).toBeLessThan(owed);
            return;
          }
          expect(d.value.amount).toBeGreaterThanOrEqual(0);
          expect(d.value.amount).toBeLessThanOrEqual(Math.min(balance, owed));
          expect(balance - d.value.amount).toBeGreaterThanOrEqual(0);
          expect(d.value.amount + d.value.shortfall).toBe(owed);
          // Only a forced refund may leave a shortfall, and only what the user no longer has.
          if (!force) expect(d.value.shortfall).toBe(0);
          if (d.value.shortfall > 0) expect(d.value.amount).toBe(balance);
        },
      ),
    );
  });

  it('describes a shortfall, and a forced one as forced', () => {
    expect(deductionText(100, { amount: 100, shortfall: 0 }, false)).toBe('订单退款扣回100积分');
    expect(deductionText(100, { amount: 40, shortfall: 60 }, true)).toBe(
      '订单退款扣回积分：应扣100，余额不足实扣40（强制退款）',
    );
  });
});

describe('refundState', () => {
  it('is the most advanced recorded stage, whatever order the events come in', () => {
    expect(refundState([])).toBe('requested');
    expect(refundState([processing])).toBe('processing');
    for (const o of ['succeeded', 'closed', 'abnormal', 'failed'] as const) {
      expect(refundState([processing, final(o)])).toBe(o);
      expect(refundState([final(o), processing])).toBe(o);
      expect(refundState([final(o)])).toBe(o);
    }
  });

  it('gives up on closed, abnormal and failed only', () => {
    expect(['requested', 'processing', 'succeeded'].map((s) => gaveUp(s as never))).toEqual([
      false,
      false,
      false,
    ]);
    expect(['closed', 'abnormal', 'failed'].map((s) => gaveUp(s as never))).toEqual([true, true, true]);
  });

  it('maps provider statuses; PROCESSING is no outcome', () => {
    expect(['SUCCESS', 'CLOSED', 'ABNORMAL', 'PROCESSING'].map((s) => outcomeOf(s as never))).toEqual([
      'succeeded',
      'closed',
      'abnormal',
      null,
    ]);
  });
});

describe('keys and numbers', () => {
  it('keeps the historic key for attempt 1 and gives every retry its own', () => {
    expect(refundKey(7)).toBe('refund:7');
    expect(refundKey(7, 1)).toBe('refund:7');
    expect(refundKey(7, 2)).toBe('refund:7:2');
    expect(reversalKey('Rabc')).toBe('refund-reversal:Rabc');
  });

  it('makes WeChat-valid refund numbers that differ per suffix', () => {
    const a = makeOutRefundNo('P20230701120000abcd1234', 'A1b2C3d4');
    const b = makeOutRefundNo('P20230701120000abcd1234', 'Z9y8X7w6');
    expect(a).toMatch(/^R[A-Za-z0-9]{1,31}$/);
    expect(a).not.toBe(b);
    expect(() => makeOutRefundNo('P1', 'bad-suffix')).toThrow();
  });
});
