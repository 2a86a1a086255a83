import { describe, expect, it } from 'bun:test';
import fc from 'fast-check';
import {
  isSecretKey,
  REDACTED,
  redact,
  redactBody,
  SECRET_KEYS,
  truncateText,
  utf8Length,
} from '../../src/domain/redact';

const SENTINEL = 'S3CRET-VALUE';

/** Every secret key in the casings senders use (headers are case-insensitive; WeChat's are mixed). */
const secretKey = fc.constantFrom(...SECRET_KEYS).chain((k) =>
  fc.constantFrom(
    k,
    k.toUpperCase(),
    k.replace(/(^|-)(\w)/g, (_, d, c) => d + c.toUpperCase()),
  ),
);
const plainKey = fc
  .string({ minLength: 1, maxLength: 8 })
  .filter((k) => !isSecretKey(k) && k !== '__proto__');

/** Arbitrary JSON-like trees in which some keys are secret and hold anything, sentinel included. */
const tree = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ maxLength: 10 }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    tie('object'),
    fc.array(tie('value'), { maxLength: 4 }),
  ),
  secretValue: fc.oneof(fc.constant(SENTINEL), fc.constant({ inner: SENTINEL }), fc.constant([SENTINEL])),
  object: fc
    .array(fc.oneof(fc.tuple(plainKey, tie('value')), fc.tuple(secretKey, tie('secretValue'))), {
      maxLength: 5,
    })
    .map((pairs) => Object.fromEntries(pairs)),
}));

/** Every value found under a secret key, at any depth. */
function underSecretKeys(v: unknown, out: unknown[] = []): unknown[] {
  if (Array.isArray(v)) for (const x of v) underSecretKeys(x, out);
  else if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      if (isSecretKey(k)) out.push(x);
      else underSecretKeys(x, out);
    }
  return out;
}

describe('redact', () => {
  it('leaves no value under a secret key, at any depth, in any casing (property)', () => {
    fc.assert(
      fc.property(tree.object, (input) => {
        const out = redact(input, { maxDepth: 64 });
        for (const v of underSecretKeys(out)) expect(v).toBe(REDACTED);
        expect(JSON.stringify(out)).not.toContain(SENTINEL);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps everything else as it was, and never changes its input (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (input) => {
        const before = JSON.stringify(input);
        const out = redact(input, { maxDepth: 64, maxStringBytes: 1 << 20 });
        expect(JSON.stringify(input)).toBe(before);
        // Without secret keys or secret-looking text, nothing but -0 → 0 differs.
        if (underSecretKeys(input).length === 0 && !/openid|Bearer|v1=|sign|o[A-Za-z0-9_-]{27}/i.test(before))
          expect(JSON.stringify(out)).toBe(JSON.stringify(JSON.parse(before)));
      }),
      { numRuns: 300 },
    );
  });

  it('redacts the providers’ signatures and keys by name, and secrets quoted in free text', () => {
    const out = redact({
      headers: { 'Wechatpay-Signature': 'abc', Authorization: 'WECHATPAY2-SHA256-RSA2048 mchid="1"' },
      answer: { paySign: 'xyz', packageValue: 'prepay_id=wx1' },
      resource: { ciphertext: 'enc', associated_data: 'transaction', nonce: 'n' },
      session_key: 'k',
      note: 'Bearer eyJ.a.b and v1=0123456789abcdef0123',
      when: new Date('2023-07-01T04:00:00Z'),
    });
    expect(out).toEqual({
      headers: { 'Wechatpay-Signature': REDACTED, Authorization: REDACTED },
      answer: { paySign: REDACTED, packageValue: 'prepay_id=wx1' },
      resource: { ciphertext: REDACTED, associated_data: REDACTED, nonce: 'n' },
      session_key: REDACTED,
      note: `Bearer ${REDACTED} and v1=${REDACTED}`,
      when: '2023-07-01T04:00:00.000Z',
    });
  });

  it('bounds depth and string length', () => {
    const deep = { a: { b: { c: { d: 1 } } } };
    expect(redact(deep, { maxDepth: 2 })).toEqual({ a: { b: '[TOO DEEP]' } });
    expect(redact({ s: 'x'.repeat(50) }, { maxStringBytes: 10 })).toEqual({
      s: `${'x'.repeat(10)}…[已截断，原长 50 字节]`,
    });
  });
});

describe('bodies and text', () => {
  it('cuts at a character boundary, never over the bound, with a marker (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        fc.integer({ min: 0, max: 300 }),
        (s, max) => {
          const cut = truncateText(s, max);
          if (utf8Length(s) <= max) expect(cut).toBe(s);
          else {
            const kept = cut.slice(0, cut.indexOf('…[已截断'));
            expect(utf8Length(kept)).toBeLessThanOrEqual(max);
            expect(s.startsWith(kept)).toBe(true);
            expect(cut).toEndWith(`原长 ${utf8Length(s)} 字节]`);
          }
        },
      ),
    );
    expect(utf8Length('a¢中😀')).toBe(new TextEncoder().encode('a¢中😀').length);
  });

  it('redacts a JSON body by key and scrubs any other body as text, within the bound', () => {
    const wechat = JSON.stringify({ id: 'evt', resource: { ciphertext: 'AAAA', nonce: 'n' } });
    expect(JSON.parse(redactBody(wechat, 8192))).toEqual({
      id: 'evt',
      resource: { ciphertext: REDACTED, nonce: 'n' },
    });
    expect(redactBody('sign=abc&x=1 "openid":"o123"', 8192)).toBe('sign=abc&x=1 "openid":"[REDACTED]"');
    const big = JSON.stringify({ pad: 'y'.repeat(20_000) });
    const kept = redactBody(big, 8192);
    expect(utf8Length(kept)).toBeLessThan(8192 + 64);
    expect(kept).toContain('…[已截断');
  });
});
