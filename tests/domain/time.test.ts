import { describe, expect, it } from 'bun:test';
import { formatLocal } from '../../src/domain/time';

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
