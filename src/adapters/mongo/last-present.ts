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
