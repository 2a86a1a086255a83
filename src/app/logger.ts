import pino, { type DestinationStream, type Level } from 'pino';
import { SECRET_KEYS, scrub } from '../domain/redact';

export type Log = (event: string, fields: Record<string, unknown>) => void;
export type LogLevel = Level;
export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

/**
 * Field names whose values never reach a log line, wherever they sit (top level or one object down):
 * the one list in domain/redact.ts, shared with the order timeline. pino compiles these paths once.
 */
const REDACT_PATHS = SECRET_KEYS.flatMap((k) => {
  const prop = /^[A-Za-z_$][\w$]*$/.test(k) ? k : `["${k}"]`;
  const dot = prop.startsWith('[') ? prop : `.${prop}`;
  return [prop, `*${dot}`];
});

/** Free text may quote secrets too (domain/redact.ts `scrub`). */
export { scrub };

/** Levels by event name: an operator filters on level, so anomalies must stand out from routine lines. */
function levelOf(event: string): LogLevel {
  if (event === 'http.access') return 'info';
  if (
    /unhandled_error|\.failed$|^alert\.\w*(failed|gave_up)$|backfill_failed|second_payment|payment\.reused|outcome_conflict|succeeded_without/.test(
      event,
    )
  )
    return 'error';
  if (
    /rejected|mismatch|unknown|unresolved|violations|shortfall|provider_error|review_opened|differences|^alert\.|^audit\.stopped$/.test(
      event,
    )
  )
    return 'warn';
  return 'info';
}

/** `2026-11-27T14:45:01.234+08:00`: local wall time as the shop reads it, and still unambiguous. */
export function isoWithOffset(d: Date): string {
  const offsetMin = -d.getTimezoneOffset();
  const local = new Date(d.getTime() + offsetMin * 60_000).toISOString().slice(0, -1);
  const sign = offsetMin >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMin);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local}${sign}${hh}:${mm}`;
}

let lastMs = 0;
let lastTime = '';
/** The access line's timestamp, formatted once per millisecond (many requests share one under load). */
function accessTime(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastTime = isoWithOffset(new Date(ms));
  }
  return lastTime;
}

export interface LoggerOptions {
  readonly level?: LogLevel;
  /**
   * Where lines go, each as written (tests pass a collector). Absent: stdout, business events
   * synchronously (a crash loses none) and access lines in batches (see `batched`).
   */
  readonly destination?: DestinationStream;
  /** Told of every event after it is logged (the metrics counters hang off this). */
  readonly observe?: Log;
}

/** How long an access line may wait for company before it is written, and how much (about 64 KiB) may gather. */
const ACCESS_FLUSH_MS = 50;
const ACCESS_FLUSH_CHARS = 64 * 1024;

/**
 * Collects lines and hands them to `out` as one write, at most `ACCESS_FLUSH_MS` after the first
 * (or as soon as 64 KiB gather), and at exit. Under load a turn of the event loop often holds one
 * request, so batching per turn still made a write per line: measured on a cached catalog request,
 * the access line then cost as much as the request itself. Only access lines go this way: a crash
 * loses at most 50 ms of them, and no business event.
 */
function batched(out: DestinationStream): DestinationStream {
  let pending: string[] = [];
  let chars = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    chars = 0;
    out.write(text);
  };
  process.once('exit', flush);
  return {
    write(line: string) {
      pending.push(line);
      chars += line.length;
      if (chars >= ACCESS_FLUSH_CHARS) flush();
      else if (timer === undefined) {
        timer = setTimeout(flush, ACCESS_FLUSH_MS);
        // A pending line must not keep a finished process alive; `exit` writes it.
        timer.unref?.();
      }
    },
  };
}

/**
 * The `deps.log(event, fields)` port: one JSON object per line with `level`, `time` (ISO with
 * offset), `event` and the fields. Business events go through pino, which removes secrets by key,
 * and free-text string values are scrubbed; access lines are built directly from known-safe fields.
 */
export function createLogger(opts: LoggerOptions = {}): Log {
  const common = {
    level: opts.level ?? 'info',
    base: undefined,
    messageKey: 'msg',
    timestamp: () => `,"time":"${isoWithOffset(new Date())}"`,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  const out = opts.destination ?? pino.destination({ dest: 1, sync: true });
  const logger = pino({ ...common, redact: { paths: REDACT_PATHS, censor: '[REDACTED]' } }, out);
  // Access lines are built by us from known-safe values (no redaction pass) and written in batches
  // (see `batched`). Business events stay synchronous, so a crash loses none.
  const access = opts.destination ?? batched(out);
  const observe = opts.observe;
  return (event, fields) => {
    observe?.(event, fields);
    const level = levelOf(event);
    if (!logger.isLevelEnabled(level)) return;
    // The access line is built by us from known-safe values: no scrub pass on the hot path.
    if (event === 'http.access') {
      // Spliced rather than spread into a new object: this runs once per request.
      const rest = JSON.stringify(fields);
      const head = `{"level":"${level}","time":"${accessTime()}","event":"http.access"`;
      access.write(`${head}${rest === '{}' ? '}' : `,${rest.slice(1)}`}\n`);
      return;
    }
    const clean: Record<string, unknown> = { event };
    for (const [k, v] of Object.entries(fields)) clean[k] = typeof v === 'string' ? scrub(v) : v;
    logger[level](clean);
  };
}

/** @deprecated kept for scripts that print plain JSON; the service logs through createLogger. */
export const jsonLogger =
  (write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) =>
  (event: string, fields: Record<string, unknown>) =>
    write(JSON.stringify({ time: new Date().toISOString(), event, ...fields }));
