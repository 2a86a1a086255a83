import { describe, expect, it } from 'bun:test';
import fc from 'fast-check';
import { fenToYuan, yuanToFen } from '../../src/domain/money';

describe('fenToYuan', () => {
  it.each([
    [990, 9.9],
    [3990, 39.9],
    [1, 0.01],
    [0, 0],
  ])('shows %p fen as %p yuan', (fen, yuan) => {
    expect(fenToYuan(fen)).toBe(yuan);
  });
});

describe('yuanToFen', () => {
  it.each([
    [9.9, 990],
    [39.9, 3990],
    [0.01, 1],
    [0, 0],
  ])('reads %p yuan as %p fen', (yuan, fen) => {
    expect(yuanToFen(yuan)).toBe(fen);
  });

  it.each([9.999, 0.001, -1, -0.01, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])(
    'rejects %p',
    (yuan) => {
      expect(yuanToFen(yuan)).toBeUndefined();
    },
  );

  // The gateway's JSON could carry a string; the type says number, the runtime must still refuse.
  it.each(['9.9', '990', ''])('rejects the string %p', (yuan) => {
    expect(yuanToFen(yuan as unknown as number)).toBeUndefined();
  });

  it('round-trips every fen amount up to 10^12', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 }), (fen) => yuanToFen(fenToYuan(fen)) === fen),
      { numRuns: 10_000 },
    );
  });
});
