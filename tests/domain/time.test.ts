import { describe, expect, it } from 'bun:test';
import fc from 'fast-check';
import { formatLocal, localParts, localPartsExact, localToInstant } from '../../src/domain/time';

describe('localParts (cached offsets) agrees with Intl', () => {
  // Zones with DST, half-hour DST (Lord Howe), a 45-minute offset and a historical change in China.
  const zones = [
    'Asia/Shanghai',
    'America/New_York',
    'Europe/London',
    'Australia/Lord_Howe',
    'Asia/Kathmandu',
    'UTC',
  ];
  it('for any instant from 1971 to 2100 in zones with odd offsets and DST', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: 31_536_000_000, max: 4_102_444_800_000 }),
        (zone, t) => {
          expect(localParts(new Date(t), zone)).toEqual(localPartsExact(new Date(t), zone));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('on both sides of each second around DST changes', () => {
    // New York 2024-03-10 07:00Z (spring forward) and 2024-11-03 06:00Z (fall back); Lord Howe 2024-04-06 15:00Z.
    for (const [zone, iso] of [
      ['America/New_York', '2024-03-10T07:00:00Z'],
      ['America/New_York', '2024-11-03T06:00:00Z'],
      ['Australia/Lord_Howe', '2024-04-06T15:00:00Z'],
      ['Asia/Shanghai', '1991-04-13T16:00:00Z'],
    ] as const) {
      const at = Date.parse(iso);
      for (let t = at - 3_600_000; t <= at + 3_600_000; t += 997)
        expect(localParts(new Date(t), zone)).toEqual(localPartsExact(new Date(t), zone));
    }
  });
});

describe('formatLocal', () => {
  it('prints Shanghai wall time without fraction or offset', () => {
    expect(formatLocal(new Date('2023-07-01T04:00:00.789Z'), 'Asia/Shanghai')).toBe('2023-07-01T12:00:00');
  });

  it('rolls the date over at local midnight', () => {
    expect(formatLocal(new Date('2023-06-30T16:00:00Z'), 'Asia/Shanghai')).toBe('2023-07-01T00:00:00');
  });

  it('prints the instant in whichever zone it is given', () => {
    expect(formatLocal(new Date('2023-07-01T04:05:06Z'), 'UTC')).toBe('2023-07-01T04:05:06');
  });

  it('pads single-digit fields', () => {
    expect(formatLocal(new Date('2024-01-02T01:02:03Z'), 'UTC')).toBe('2024-01-02T01:02:03');
  });

  it('returns null for null', () => {
    expect(formatLocal(null, 'Asia/Shanghai')).toBeNull();
  });

  it('returns null for undefined', () => {
    expect(formatLocal(undefined, 'Asia/Shanghai')).toBeNull();
  });
});

describe('localToInstant', () => {
  it('is the inverse of formatLocal in a fixed-offset zone', () => {
    const at = localToInstant({ year: 2023, month: 7, day: 1 }, 'Asia/Shanghai');
    expect(at.toISOString()).toBe('2023-06-30T16:00:00.000Z');
    expect(formatLocal(at, 'Asia/Shanghai')).toBe('2023-07-01T00:00:00');
  });

  it('follows daylight saving time', () => {
    const summer = localToInstant({ year: 2023, month: 7, day: 1, hour: 12 }, 'Europe/Berlin');
    const winter = localToInstant({ year: 2023, month: 1, day: 1, hour: 12 }, 'Europe/Berlin');
    expect(summer.toISOString()).toBe('2023-07-01T10:00:00.000Z');
    expect(winter.toISOString()).toBe('2023-01-01T11:00:00.000Z');
  });

  it('rolls day overflow into the next month (used for inclusive `to` dates)', () => {
    expect(localToInstant({ year: 2023, month: 6, day: 31 }, 'UTC').toISOString()).toBe(
      '2023-07-01T00:00:00.000Z',
    );
  });
});
