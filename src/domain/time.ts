/** Calendar fields of an instant in a time zone; Intl is part of the language, not a clock. */
export interface LocalParts {
  readonly year: string;
  readonly month: string;
  readonly day: string;
  readonly hour: string;
  readonly minute: string;
  readonly second: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Exact, through Intl: a few microseconds per call, which adds up over every timestamp of a list. */
function partsByIntl(at: Date, timeZone: string): LocalParts {
  const parts = formatter(timeZone).formatToParts(at);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '00';
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
}

/** The zone's offset from UTC at `t` (whole seconds, as Intl reports them), in milliseconds. */
function offsetAt(t: number, timeZone: string): number {
  const p = partsByIntl(new Date(t), timeZone);
  const wall = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return wall - Math.floor(t / 1000) * 1000;
}

/**
 * Offsets per zone and 15-minute bucket. A bucket is trusted only when the offset at its first and
 * its last second agree; zone changes happen at most once in such a span (and in practice on its
 * edges), so then it holds for every instant inside. A bucket with a change inside is marked NaN
 * and answered by Intl, exactly.
 */
const BUCKET_MS = 15 * 60_000;
const offsets = new Map<string, number>();

export function localParts(at: Date, timeZone: string): LocalParts {
  const t = at.getTime();
  const start = Math.floor(t / BUCKET_MS) * BUCKET_MS;
  const key = `${timeZone}|${start}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    const first = offsetAt(start, timeZone);
    offset = first === offsetAt(start + BUCKET_MS - 1000, timeZone) ? first : Number.NaN;
    if (offsets.size >= 100_000) offsets.clear(); // bounded: timestamps come from stored data
    offsets.set(key, offset);
  }
  if (Number.isNaN(offset) || !Number.isFinite(t)) return partsByIntl(at, timeZone);
  const local = new Date(t + offset);
  const two = (n: number) => String(n).padStart(2, '0');
  return {
    year: String(local.getUTCFullYear()),
    month: two(local.getUTCMonth() + 1),
    day: two(local.getUTCDate()),
    hour: two(local.getUTCHours()),
    minute: two(local.getUTCMinutes()),
    second: two(local.getUTCSeconds()),
  };
}

/** The Intl path alone, for tests that compare the fast path with it. */
export const localPartsExact = partsByIntl;

/** The local calendar day of `at` in `timeZone`, `YYYY-MM-DD`. */
export const localDay = (at: Date, timeZone: string): string => {
  const p = localParts(at, timeZone);
  return `${p.year}-${p.month}-${p.day}`;
};

/** `YYYY-MM-DD HH:mm:ss` in `timeZone`: how operators read a time (console, CSV). */
export const localDateTime = (at: Date, timeZone: string): string => {
  const p = localParts(at, timeZone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
};

/** `YYYY-MM-DDTHH:mm:ss` as the seed prints timestamps: local time, no fraction, no offset. */
export function formatLocal(at: Date | null | undefined, timeZone: string): string | null {
  if (!at) return null;
  const p = localParts(at, timeZone);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`;
}

/**
 * The instant at which the wall clock in `timeZone` shows the given local time. Two passes: the zone's
 * offset at the first guess, corrected once more in case that guess fell on the other side of a DST change.
 */
export function localToInstant(
  local: { year: number; month: number; day: number; hour?: number; minute?: number; second?: number },
  timeZone: string,
): Date {
  const wall = Date.UTC(
    local.year,
    local.month - 1,
    local.day,
    local.hour ?? 0,
    local.minute ?? 0,
    local.second ?? 0,
  );
  const offsetAt = (t: number) => {
    const p = localParts(new Date(t), timeZone);
    return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - t;
  };
  const first = wall - offsetAt(wall);
  return new Date(wall - offsetAt(first));
}

/**
 * Newest first by `at`, ties by id descending: the order of every list a store sorts by
 * `{<at>: -1, _id: -1}` (strings compared by code unit and numbers by value, as MongoDB does), so a
 * page never depends on the order a store returned its records in.
 */
export const newestFirstBy =
  <T>(at: (record: T) => Date, id: (record: T) => string | number) =>
  (a: T, b: T): number => {
    const byTime = at(b).getTime() - at(a).getTime();
    if (byTime !== 0) return byTime;
    const [x, y] = [id(a), id(b)];
    return x < y ? 1 : x > y ? -1 : 0;
  };
