import { describe, expect, it } from 'bun:test';
import { UserNumbers } from '../../src/adapters/mongo/user-numbers';

/** The numbers that exist, per user: what the probe of a real collection would find. */
const stored = () => {
  const taken = new Map<number, number>();
  let probes = 0;
  const numbers = new UserNumbers(async (userId, n) => {
    probes++;
    return n <= (taken.get(userId) ?? 0);
  });
  return { numbers, taken, probes: () => probes };
};

describe('UserNumbers', () => {
  it('finds the last number from the one it saw, and never goes back to a lower one', async () => {
    const { numbers, taken, probes } = stored();
    taken.set(1, 5);
    expect(await numbers.last(1)).toBe(5);
    taken.set(1, 6);
    const before = probes();
    expect(await numbers.last(1)).toBe(6);
    expect(probes() - before).toBe(3); // 6 found, 8 and 7 missing
    expect(numbers.note(1, 3)).toBe(6);
    expect(numbers.remembered(2)).toBeUndefined();
    expect(await numbers.last(2)).toBe(0);
  });

  it("runs one user's takes one at a time, other users' alongside, and a failed take blocks nothing", async () => {
    const { numbers } = stored();
    let running = 0;
    let most = 0;
    const take =
      (ms: number, fail = false) =>
      async () => {
        most = Math.max(most, ++running);
        await Bun.sleep(ms);
        running--;
        if (fail) throw new Error('insert failed');
        return ms;
      };
    const one = [
      numbers.oneAtATime(1, take(5)),
      numbers.oneAtATime(1, take(1, true)),
      numbers.oneAtATime(1, take(2)),
    ];
    const results = await Promise.allSettled(one);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(most).toBe(1);
    most = 0;
    await Promise.all([numbers.oneAtATime(1, take(5)), numbers.oneAtATime(2, take(5))]);
    expect(most).toBe(2);
  });

  it('lets the next take go when one hangs past its turn', async () => {
    const numbers = new UserNumbers(async () => false, 20);
    const hung = numbers.oneAtATime(1, () => new Promise<never>(() => {}));
    expect(await numbers.oneAtATime(1, async () => 'next')).toBe('next');
    expect(await Promise.race([hung, Bun.sleep(5).then(() => 'still waiting')])).toBe('still waiting');
  });
});
