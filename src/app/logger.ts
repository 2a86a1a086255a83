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
    /unhandled_error|\.failed$|^alert\.\w*(failed|gave_up)$|backfill_failed|second_payment|outcome_conflict|succeeded_without/.test(
      event,
    )
  )
    return 'error';
  if (
    /rejected|mismatch|unknown|unresolved|violations|shortfall|provider_error|review_opened|differences|^alert\./.test(
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

export interface LoggerOptions {
  readonly level?: LogLevel;
  /** Where lines go; stdout (synchronously, so a crash loses nothing) when absent. Tests pass a collector. */
  readonly destination?: DestinationStream;
  /** Told of every event after it is logged (the metrics counters hang off this). */
  readonly observe?: Log;
}

/** Collects the lines of one event-loop turn and hands them to `out` as one write. */
function batchedPerTurn(out: DestinationStream): DestinationStream {
  let pending: string[] = [];
  const flush = () => {
    const text = pending.join('');
    pending = [];
    out.write(text);
  };
  return {
    write(line: string) {
      if (pending.push(line) === 1) setImmediate(flush);
    },
  };
}

/**
 * The `deps.log(event, fields)` port, written by pino: one JSON object per line with `level`,
 * `time` (ISO with offset), `event` and the fields. Secrets are removed by key (pino's redaction)
 * and from free-text string values (scrub).
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
  // Access lines are built by us from known-safe values (no redaction pass) and written once per
  // turn of the event loop, all of that turn's lines in one write: a write per request tripled the
  // CPU of a cached catalog request. Business events stay synchronous, so a crash loses none.
  const accessLogger = pino(common, opts.destination ?? batchedPerTurn(out));
  const observe = opts.observe;
  return (event, fields) => {
    observe?.(event, fields);
    const level = levelOf(event);
    if (!logger.isLevelEnabled(level)) return;
    // The access line is built by us from known-safe values: no scrub pass on the hot path.
    if (event === 'http.access') {
      accessLogger[level]({ event, ...fields });
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
