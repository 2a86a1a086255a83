import { localToInstant } from '../../domain/time';

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?$/;
const ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A `from`/`to` query bound as an instant. `YYYY-MM-DD` is a whole day in the service's time zone
 * (so `to=2023-07-01` includes all of that day); a timestamp without an offset is local time, like
 * every timestamp we print; one with `Z` or an offset is taken as is. Undefined when malformed.
 */
export function parseBound(raw: string, timeZone: string, edge: 'from' | 'to'): Date | undefined {
  const day = DAY.exec(raw);
  if (day) {
    const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
    if (!validDate(y, m, d)) return undefined;
    return localToInstant({ year: y, month: m, day: edge === 'to' ? d + 1 : d }, timeZone);
  }
  const local = LOCAL.exec(raw);
  if (local) {
    const [y, m, d] = [Number(local[1]), Number(local[2]), Number(local[3])];
    const [hh, mm, ss] = [Number(local[4]), Number(local[5]), Number(local[6] ?? 0)];
    if (!validDate(y, m, d) || hh > 23 || mm > 59 || ss > 59) return undefined;
    return localToInstant({ year: y, month: m, day: d, hour: hh, minute: mm, second: ss }, timeZone);
  }
  if (!ZONED.test(raw)) return undefined;
  const at = new Date(raw);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** Rejects 2023-02-30 instead of letting Date roll it over into March. */
const validDate = (y: number, m: number, d: number): boolean => {
  const probe = new Date(Date.UTC(y, m - 1, d));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d;
};
