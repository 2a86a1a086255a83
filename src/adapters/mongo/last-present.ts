import type { Page } from '../../domain/ports';

/**
 * The highest n ≥ `known.n` for which `probe(n)` finds something, given that what exists is a prefix
 * 1..N (a user's ledger is gap-free: seq k+1 is only ever inserted after seq k was read) and that
 * `known` exists (n = 0 stands for "nothing known", the empty prefix).
 *
 * Galloping search: probe known+1, +2, +4, … until a miss, then bisect between the last hit and that
 * miss. When `known` is the head, one probe answers; when the head moved d entries on, about
 * 2·log2(d) probes do. Each probe is an equality FerretDB hands to PostgreSQL's indexes, where sorting
 * a user's whole history (what `sort({seq: -1})` does in FerretDB 1.24) costs time in its length.
 */
export async function lastPresent<T>(
  known: { n: number; value: T | null },
  probe: (n: number) => Promise<T | null>,
): Promise<{ n: number; value: T | null }> {
  let hit = known;
  let step = 1;
  let miss: number;
  for (;;) {
    const n = hit.n + step;
    const value = await probe(n);
    if (value === null) {
      miss = n;
      break;
    }
    hit = { n, value };
    step *= 2;
  }
  while (miss - hit.n > 1) {
    const n = hit.n + Math.floor((miss - hit.n) / 2);
    const value = await probe(n);
    if (value === null) miss = n;
    else hit = { n, value };
  }
  return hit;
}

/** Probes of one page sent together, so a page of 100 cannot take the whole connection pool. */
const PROBES_AT_ONCE = 10;

/**
 * A newest-first page of a history numbered 1..`last`: numbers last − skip down to 1, at most
 * `limit` of them, each found by `probe` (PROBES_AT_ONCE at a time); what a probe misses is left out.
 */
export async function probePage<T>(
  last: number,
  page: Page,
  probe: (n: number) => Promise<T | null>,
): Promise<T[]> {
  const top = last - page.skip;
  const ns: number[] = [];
  for (let n = top; n >= Math.max(1, top - page.limit + 1); n--) ns.push(n);
  const found: T[] = [];
  for (let i = 0; i < ns.length; i += PROBES_AT_ONCE)
    for (const item of await Promise.all(ns.slice(i, i + PROBES_AT_ONCE).map(probe)))
      if (item !== null) found.push(item);
  return found;
}
