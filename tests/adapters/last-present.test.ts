import { describe, expect, it } from 'bun:test';
import fc from 'fast-check';
import { lastPresent } from '../../src/adapters/mongo/last-present';

/** A prefix 1..size that records which n were probed. */
function prefix(size: number) {
  const probed: number[] = [];
  const probe = async (n: number) => {
    probed.push(n);
    return n >= 1 && n <= size ? `e${n}` : null;
  };
  return { probe, probed };
}

describe('lastPresent (the ledger head by galloping probes)', () => {
  it('finds the end of any prefix from any known point below it, in about 2·log2(distance) probes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(100_000), fc.nat(100_000), async (size, back) => {
        const known = Math.max(0, size - back);
        const { probe, probed } = prefix(size);
        const found = await lastPresent({ n: known, value: known === 0 ? null : `e${known}` }, probe);
        expect(found).toEqual({ n: size, value: size === 0 ? null : `e${size}` });
        expect(probed.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(size - known + 1)) + 1);
      }),
    );
  });

  it('answers with one probe when the known point is still the end', async () => {
    const { probe, probed } = prefix(5000);
    expect(await lastPresent({ n: 5000, value: 'e5000' }, probe)).toEqual({ n: 5000, value: 'e5000' });
    expect(probed).toEqual([5001]);
  });

  it('answers an empty prefix with one probe', async () => {
    const { probe, probed } = prefix(0);
    expect(await lastPresent({ n: 0, value: null }, probe)).toEqual({ n: 0, value: null });
    expect(probed).toEqual([1]);
  });
});
