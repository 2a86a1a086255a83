import { describe, expect, it } from 'bun:test';
import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { dayPage, newestFirst, type OperatorAuditEntry } from '../../src/domain/operators/audit';
import {
  backoffPeriod,
  lockInForce,
  lockSeconds,
  nextLock,
  USERNAME_LOCKOUT,
} from '../../src/domain/operators/lockout';
import {
  ACTION_ROLES,
  type ConsoleAction,
  canDo,
  OPERATOR_ROLES,
  passwordProblem,
  roleAtLeast,
  usernameProblem,
} from '../../src/domain/operators/operator';
import {
  base32Decode,
  base32Encode,
  hmacSha1,
  hotp,
  matchingStep,
  otpauthUri,
  sha1,
  totpAt,
} from '../../src/domain/operators/totp';

const bytes = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('TOTP (RFC 6238)', () => {
  const key = bytes('12345678901234567890');
  // Appendix B, the SHA1 rows: 8 digits, the 20-byte ASCII key.
  it.each([
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ])('at %d s gives %s', (seconds, code) => {
    expect(totpAt(key, new Date(seconds * 1000), 8)).toBe(code);
    // The 6-digit code is the same value modulo 10^6.
    expect(totpAt(key, new Date(seconds * 1000))).toBe(code.slice(2));
  });

  it('matches RFC 4226 Appendix D (HOTP) for counters 0-9', () => {
    const expected = [
      '755224',
      '287082',
      '359152',
      '969429',
      '338314',
      '254676',
      '287922',
      '162583',
      '399871',
      '520489',
    ];
    expect(expected.map((_, i) => hotp(key, i))).toEqual(expected);
  });

  it('accepts the code of one step either side and nothing further', () => {
    const secret = base32Encode(key);
    const at = new Date(1_700_000_000_000);
    const step = Math.floor(at.getTime() / 30_000);
    for (const d of [-1, 0, 1]) expect(matchingStep(secret, hotp(key, step + d), at)).toBe(step + d);
    for (const d of [-2, 2]) {
      const code = hotp(key, step + d);
      // A different step could produce the same 6 digits; skip that (vanishingly rare) case.
      if (![-1, 0, 1].some((n) => hotp(key, step + n) === code))
        expect(matchingStep(secret, code, at)).toBeNull();
    }
    expect(matchingStep(secret, '12345', at)).toBeNull();
    expect(matchingStep(secret, 'abcdef', at)).toBeNull();
    expect(matchingStep('not base32!', hotp(key, step), at)).toBeNull();
  });

  it('computes SHA-1 and HMAC-SHA1 exactly as node:crypto for any input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 100 }), (k, m) => {
        expect(hex(sha1(m))).toBe(createHash('sha1').update(m).digest('hex'));
        expect(hex(hmacSha1(k, m))).toBe(createHmac('sha1', k).update(m).digest('hex'));
      }),
    );
  });

  it('round-trips base32 (RFC 4648) and reads it case- and space-insensitively', () => {
    expect(base32Encode(bytes('foobar'))).toBe('MZXW6YTBOI');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        expect(base32Decode(base32Encode(b))).toEqual(b);
      }),
    );
    expect(base32Decode('mzxw 6ytb oi==')).toEqual(bytes('foobar'));
    expect(base32Decode('MZ1W')).toBeNull();
  });

  it('builds the otpauth URI authenticator apps read', () => {
    expect(otpauthUri('Shop', 'alice', 'ABC')).toBe(
      'otpauth://totp/Shop%3Aalice?secret=ABC&issuer=Shop&algorithm=SHA1&digits=6&period=30',
    );
  });
});

describe('operator roles', () => {
  it('orders viewer < operator < admin', () => {
    fc.assert(
      fc.property(fc.constantFrom(...OPERATOR_ROLES), fc.constantFrom(...OPERATOR_ROLES), (a, b) => {
        const rank = (r: string) => OPERATOR_ROLES.indexOf(r as never);
        expect(roleAtLeast(a, b)).toBe(rank(a) >= rank(b));
      }),
    );
  });

  it('grants each action to its role and every role above it (the README table)', () => {
    const table = Object.fromEntries(
      OPERATOR_ROLES.map((r) => [
        r,
        (Object.keys(ACTION_ROLES) as ConsoleAction[]).filter((a) => canDo(r, a)),
      ]),
    );
    expect(table).toEqual({
      viewer: ['read', 'export_csv'],
      operator: [
        'read',
        'export_csv',
        'sync_order',
        'refund',
        'adjust_credits',
        'disable_user',
        'resolve_review',
      ],
      admin: Object.keys(ACTION_ROLES) as ConsoleAction[],
    });
  });

  it('asks for usernames of 3-32 safe characters and passwords of at least 10', () => {
    expect(usernameProblem('alice')).toBeNull();
    for (const bad of ['al', 'a'.repeat(33), 'Alice', 'a b', 'a<b'])
      expect(usernameProblem(bad)).not.toBeNull();
    expect(passwordProblem('123456789')).not.toBeNull();
    expect(passwordProblem('1234567890')).toBeNull();
    expect(passwordProblem('x'.repeat(201))).not.toBeNull();
  });
});

describe('login back-off', () => {
  it('locks 1 min, doubling per lock up to 1 h', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 50].map((l) => lockSeconds(USERNAME_LOCKOUT, l))).toEqual([
      60, 120, 240, 480, 960, 1920, 3600, 3600, 3600,
    ]);
  });

  it('takes the next level of the period and finds the lock in force', () => {
    const now = new Date('2026-11-27T02:00:00Z');
    const period = backoffPeriod(now);
    const first = nextLock('k', period, [], USERNAME_LOCKOUT, now);
    expect(first).toEqual({ key: 'k', period, level: 1, until: new Date(now.getTime() + 60_000) });
    const second = nextLock('k', period, [first], USERNAME_LOCKOUT, new Date(now.getTime() + 61_000));
    expect(second.level).toBe(2);
    expect(lockInForce([first, second], new Date(now.getTime() + 62_000))).toEqual(second);
    expect(lockInForce([first, second], second.until)).toBeNull();
  });
});

describe('audit day pages', () => {
  const entry = (hour: number, minute: number, id: string): OperatorAuditEntry => ({
    id,
    at: new Date(Date.UTC(2026, 10, 27, hour, minute)),
    day: '2026-11-27',
    hour,
    actor: { id: 1, username: 'alice' },
    ip: '127.0.0.1',
    action: 'x',
    target: { kind: 'operator', id: '1' },
    before: null,
    after: null,
    reason: null,
  });

  it('pages newest first across hours and stops reading once the page is full', async () => {
    const byHour = new Map<number, OperatorAuditEntry[]>([
      [23, [entry(23, 1, 'a'), entry(23, 5, 'b')]],
      [10, [entry(10, 0, 'c')]],
      [3, [entry(3, 0, 'd')]],
    ]);
    const read: number[] = [];
    const load = async (hour: number) => {
      read.push(hour);
      return { entries: byHour.get(hour) ?? [], truncated: hour === 10 };
    };
    const first = await dayPage(load, { skip: 0, limit: 3 });
    expect(first.entries.map((e) => e.id)).toEqual(['b', 'a', 'c']);
    expect(first.truncated).toBe(true);
    expect(Math.min(...read)).toBe(10);
    const second = await dayPage(load, { skip: 3, limit: 3 });
    expect(second.entries.map((e) => e.id)).toEqual(['d']);
    expect([entry(1, 0, 'x'), entry(1, 0, 'y')].sort(newestFirst).map((e) => e.id)).toEqual(['y', 'x']);
  });
});
