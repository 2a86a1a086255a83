/** One operator action, insert-only: who, when, from where, what, before → after, why. */
export const AUDIT_TARGET_KINDS = ['order', 'user', 'product', 'operator', 'review', 'statement'] as const;
export type AuditTargetKind = (typeof AUDIT_TARGET_KINDS)[number];

export interface AuditTarget {
  readonly kind: AuditTargetKind;
  readonly id: string;
}

export interface OperatorAuditEntry {
  readonly id: string;
  readonly at: Date;
  /** The local day of `at` ('YYYY-MM-DD' in the configured time zone): the listing's equality key. */
  readonly day: string;
  /** The local hour of `at` (0-23): a day is read hour by hour, newest first, each hour by equality. */
  readonly hour: number;
  /** id null: a failed login naming no existing operator (the username is what was typed). */
  readonly actor: { readonly id: number | null; readonly username: string };
  readonly ip: string;
  readonly action: string;
  readonly target: AuditTarget;
  readonly before: unknown | null;
  readonly after: unknown | null;
  readonly reason: string | null;
}

/** What a listing may narrow a day down to (each an equality). */
export interface AuditDayQuery {
  readonly day: string;
  readonly actorId?: number;
  readonly target?: AuditTarget;
}

/** A page of entries, newest first; `truncated` when the scan cap cut the set short (see the port). */
export interface AuditPage {
  readonly entries: readonly OperatorAuditEntry[];
  readonly truncated: boolean;
}

/** Newest first, ties by id, so pages are stable whatever order the store returned. */
export function newestFirst(a: OperatorAuditEntry, b: OperatorAuditEntry): number {
  return b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

export const targetKey = (t: AuditTarget): string => `${t.kind}:${t.id}`;

/**
 * A page of one day, newest first, read hour by hour from the last: each hour is one equality read of
 * at most AUDIT_SCAN_CAP entries (`truncated` when one had more), sorted in memory, and reading stops
 * as soon as the page is full.
 */
export async function dayPage(
  readHour: (hour: number) => Promise<{ entries: readonly OperatorAuditEntry[]; truncated: boolean }>,
  page: { readonly skip: number; readonly limit: number },
): Promise<AuditPage> {
  const collected: OperatorAuditEntry[] = [];
  let truncated = false;
  for (let hour = 23; hour >= 0 && collected.length < page.skip + page.limit; hour--) {
    const read = await readHour(hour);
    truncated ||= read.truncated;
    collected.push(...[...read.entries].sort(newestFirst));
  }
  return { entries: collected.slice(page.skip, page.skip + page.limit), truncated };
}
