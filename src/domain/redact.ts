/**
 * The one list of field names whose values never leave the process in clear: not in a log line
 * (app/logger.ts builds its pino paths from it) and not in a stored payment event (the order
 * timeline). Bearer tokens, the providers' signatures and keys, WeChat session keys, encrypted
 * notification payloads and openids. Matched case-insensitively by `redact`.
 */
export const SECRET_KEYS = [
  'authorization',
  'token',
  'access_token',
  'refresh_token',
  'session_key',
  'sessionKey',
  'signature',
  'sign',
  'paySign',
  'paySig',
  'pay_sig',
  'wechatpay-signature',
  'x-gateway-signature',
  'key',
  'secret',
  'api_key',
  'apiv3_key',
  'ciphertext',
  'associated_data',
  'openid',
  'sp_openid',
  'sub_openid',
  'payer',
] as const;

export const REDACTED = '[REDACTED]';

const SECRET_SET: ReadonlySet<string> = new Set(SECRET_KEYS.map((k) => k.toLowerCase()));
export const isSecretKey = (key: string): boolean => SECRET_SET.has(key.toLowerCase());

/**
 * Free text (a callback body that is not JSON, an error message) may quote secrets too: bearer
 * tokens, `"openid":"…"` pairs, signature fields, the gateway's `v1=<hmac>` and bare openids (WeChat's
 * are `o` + 27 chars).
 */
const SCRUB: readonly [RegExp, string][] = [
  [/Bearer\s+[\w.~+/=-]+/gi, `Bearer ${REDACTED}`],
  [/("(?:sp_|sub_)?openid"\s*:\s*)"[^"]*"/gi, `$1"${REDACTED}"`],
  [
    /("(?:signature|paySign|paySig|sign|pay_sig|session_key|sessionKey|ciphertext)"\s*:\s*)"[^"]*"/gi,
    `$1"${REDACTED}"`,
  ],
  [/\bv1=[0-9a-f]{16,}/gi, `v1=${REDACTED}`],
  [/\bo[A-Za-z0-9_-]{27}\b/g, REDACTED],
  // Webhook URLs (a WeCom robot's) carry their key as a query parameter.
  [/([?&](?:key|access_token|token)=)[^&\s"']+/gi, `$1${REDACTED}`],
];
export const scrub = (text: string): string => SCRUB.reduce((s, [re, to]) => s.replace(re, to), text);

/** UTF-8 length of `text`, without an encoder (the domain has no platform APIs). */
export function utf8Length(text: string): number {
  let n = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

/**
 * `text` cut to at most `maxBytes` UTF-8 bytes (never inside a character), with a marker saying how
 * long it was (`originalBytes`, when `text` is already a rewritten form); unchanged when it fits.
 */
export function truncateText(text: string, maxBytes: number, originalBytes?: number): string {
  const total = utf8Length(text);
  if (total <= maxBytes) return text;
  let bytes = 0;
  let out = '';
  for (const ch of text) {
    const size = utf8Length(ch);
    if (bytes + size > maxBytes) break;
    bytes += size;
    out += ch;
  }
  return `${out}…[已截断，原长 ${originalBytes ?? total} 字节]`;
}

export interface RedactOptions {
  /** Longest string value kept, in UTF-8 bytes; longer ones are truncated with a marker. */
  readonly maxStringBytes?: number;
  /** Nesting kept; deeper values are replaced (a hostile body cannot make the walk expensive). */
  readonly maxDepth?: number;
}

const DEFAULT_MAX_STRING = 1024;
const DEFAULT_MAX_DEPTH = 8;

/**
 * A JSON-safe copy of `value` in which every value under a secret key (at any depth, in objects and
 * in arrays of objects) is `[REDACTED]`, every string is scrubbed and bounded, and dates are ISO
 * strings. Pure: the input is not changed.
 */
export function redact(value: unknown, opts: RedactOptions = {}): unknown {
  const maxString = opts.maxStringBytes ?? DEFAULT_MAX_STRING;
  const maxDepth = opts.maxDepth ?? DEFAULT_MAX_DEPTH;
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return truncateText(scrub(v), maxString);
    if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
    if (typeof v === 'boolean' || v === null) return v;
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
    if (typeof v !== 'object') return v === undefined ? null : String(v);
    if (depth >= maxDepth) return '[TOO DEEP]';
    if (Array.isArray(v)) return v.map((item) => walk(item, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
      if (item === undefined) continue;
      // defineProperty: a `__proto__` key from a received body stays a plain key.
      Object.defineProperty(out, k, {
        value: isSecretKey(k) ? REDACTED : walk(item, depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  };
  return walk(value, 0);
}

/** `redact` for a record: always an object (a non-object input is kept under `value`). */
export function redactRecord(value: unknown, opts: RedactOptions = {}): Record<string, unknown> {
  const out = redact(value, opts);
  return out !== null && typeof out === 'object' && !Array.isArray(out)
    ? (out as Record<string, unknown>)
    : { value: out };
}

/**
 * A received body as kept for diagnosis: JSON is redacted by key (and re-serialized), anything else
 * scrubbed as text; either way at most `maxBytes` UTF-8 bytes, with a marker when cut.
 */
export function redactBody(raw: string, maxBytes: number): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return truncateText(scrub(raw), maxBytes, utf8Length(raw));
  }
  // Strings inside are bounded by the whole body's bound, not the default per-field one.
  return truncateText(
    JSON.stringify(redact(parsed, { maxStringBytes: maxBytes })),
    maxBytes,
    utf8Length(raw),
  );
}
