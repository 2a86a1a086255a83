import { describe, expect, it } from 'bun:test';
import { formatLocal, localToInstant } from '../../src/domain/time';

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
