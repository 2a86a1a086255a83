import { describe, expect, it } from 'bun:test';
import {
  devSessionKeySecret,
  sealedSessionKeys,
  sessionKeySecret,
} from '../../src/adapters/crypto/sealed-session-keys';
import { MemorySessionKeys } from '../../src/adapters/memory/session-keys';

const KEY = Buffer.alloc(32, 7);
const SESSION_KEY = '9hAb/NEYUlkaMBEsmFgzig==';

describe('session_key sealed at rest (AES-256-GCM)', () => {
  it('stores only ciphertext, and opens it for the same user', async () => {
    const raw = new MemorySessionKeys();
    const sealed = sealedSessionKeys(raw, KEY);
    await sealed.save(1, SESSION_KEY, new Date());
    const stored = (await raw.latest(1))!;
    expect(stored).not.toContain(SESSION_KEY);
    expect(stored).not.toContain(Buffer.from(SESSION_KEY).toString('base64'));
    expect(stored.startsWith('v1.')).toBe(true);
    expect(await sealed.latest(1)).toBe(SESSION_KEY);
  });

  it("another user's ciphertext, a tampered one or another secret opens as no key (re-login)", async () => {
    const raw = new MemorySessionKeys();
    const sealed = sealedSessionKeys(raw, KEY);
    await sealed.save(1, SESSION_KEY, new Date());
    await raw.save(2, (await raw.latest(1))!, new Date());
    expect(await sealed.latest(2)).toBeNull();
    expect(await sealedSessionKeys(raw, Buffer.alloc(32, 8)).latest(1)).toBeNull();
    // One character of the tag changed (the second to last: all six of its bits are data). Which
    // character replaces it depends on that character itself: deciding by the last one left it
    // unchanged whenever it already was 'A' (1 run in 64 failed).
    const s = (await raw.latest(1))!;
    const i = s.length - 2;
    await raw.save(1, `${s.slice(0, i)}${s[i] === 'A' ? 'B' : 'A'}${s.slice(i + 1)}`, new Date());
    expect((await raw.latest(1))!).not.toBe(s);
    expect(await sealed.latest(1)).toBeNull();
  });

  it('SESSION_KEY_SECRET must be 32 bytes of base64; the dev secret depends on the data folder', () => {
    expect(sessionKeySecret(KEY.toString('base64'))).toEqual(KEY);
    expect(typeof sessionKeySecret('c2hvcnQ=')).toBe('string');
    expect(typeof sessionKeySecret('not base64!!')).toBe('string');
    expect(devSessionKeySecret('/a')).not.toEqual(devSessionKeySecret('/b'));
    expect(devSessionKeySecret('/a')).toHaveLength(32);
  });
});
