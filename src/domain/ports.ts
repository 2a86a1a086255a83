import type { Alert, AlertPatch, AlertState, DeliveryAttempt, StoredAlert } from './alert';
import type { StoredAuditReport } from './audit';
import type { CreditSnapshot, HourFigures } from './figures';
import type { LedgerEntry, NewLedgerEntry } from './ledger';
import type { NewOrder, Order, OrderStatus } from './order';
import type { PaymentEventPage, PaymentEventRecord } from './payment-events';
import type { NewProduct, Product } from './product';
import type { RefundAttempt, RefundEvent, RefundState } from './refund';
import type { Result } from './result';
import type { NewReview, Review } from './review';
import type { PaymentClaim, Settlement } from './settlement';
import type { ShippingRecord, ShippingRequest, ShippingResult } from './shipping';
import type { StatementReport } from './statement';
import type { ProjectedStatus, StatusChange } from './status';
import type { EndedSession, Role, User } from './user';

export type { PaymentNotifications, Payments, Statements } from './payment';

export interface Page {
  readonly skip: number;
  readonly limit: number;
}

export interface Clock {
  now(): Date;
}

export interface Random {
  /** `length` characters drawn uniformly from `alphabet` by a cryptographic source. */
  string(length: number, alphabet: string): string;
}

/** Adapters throw only on infrastructure faults; "not found" is `null`. */
export interface Products {
  /** Active products ordered by sortOrder, then id. */
  listActive(page: Page): Promise<Product[]>;
  /** Every product, inactive ones included (for admins), in the same order. */
  listAll(page: Page): Promise<Product[]>;
  findById(id: number): Promise<Product | null>;
  /** Inserts each product under its given id unless that id exists; returns how many were new. */
  seed(products: readonly (NewProduct & { readonly id: number })[], now: Date): Promise<number>;
  /** Inserts under a newly allocated integer id (never one that `seed` or a concurrent create took). */
  create(product: NewProduct, now: Date): Promise<Product>;
  /**
   * Changes the given fields as version+1. With `expectedVersion`, only if that is still the current
   * version (`version_conflict` otherwise); without, on top of whatever is current. Concurrent edits
   * never lose one another: each version is taken by a unique insert, not by a (non-atomic) update.
   */
  update(id: number, patch: Partial<NewProduct>, now: Date, expectedVersion?: number): Promise<Edit<Product>>;
}

/** The outcome of a versioned edit. */
export type Edit<T> = Result<
  T,
  { readonly kind: 'not_found' } | { readonly kind: 'version_conflict'; readonly current: number }
>;

export interface Users {
  findById(id: number): Promise<User | null>;
  findByOpenid(openid: string): Promise<User | null>;
  /** Creates the user for `openid`, or returns the existing one: safe under concurrent first logins. */
  ensure(openid: string, now: Date): Promise<{ user: User; created: boolean }>;
  /** Every user, streamed (for the audit). */
  scan(): AsyncIterable<User>;
  /** Changes role and/or is_active, versioned as `Products.update`. Access checks re-read it on every request. */
  update(id: number, patch: UserPatch, now: Date, expectedVersion?: number): Promise<Edit<User>>;
  /**
   * Ends one session (logout) or, with 'all', every session the user has (the token generation moves
   * on), versioned as `update` so no concurrent edit loses it; null when no such user.
   */
  endSessions(id: number, which: EndedSession | 'all', now: Date): Promise<User | null>;
}

export interface UserPatch {
  readonly role?: Role;
  readonly isActive?: boolean;
}

export type OrderProjection = ProjectedStatus;

export interface Orders {
  /** Allocates the integer id. */
  create(order: NewOrder): Promise<Order>;
  findById(id: number): Promise<Order | null>;
  findByOrderNo(orderNo: string): Promise<Order | null>;
  /** The user's orders, newest first. */
  listByUser(userId: number, page: Page): Promise<Order[]>;
  /**
   * Writes the status projection. Not atomic on FerretDB and never relied upon for money: the
   * settlement record and the ledger decide; this only mirrors them. Applies only while the stored
   * status is one of `from` — which a slow writer on FerretDB may have read long ago, so callers go
   * through `projectStatus` (usecases/projection.ts), which checks the result against StatusChanges.
   * `known`: the order's creation time, when the caller holds the order (a store that files a final
   * status under the order's hour then need not read it back).
   */
  project(
    id: number,
    from: readonly OrderStatus[],
    projection: OrderProjection,
    known?: { readonly createdAt: Date },
  ): Promise<void>;
  /** Every order (or every one in `status`, an equality), streamed in pages: for the audit and backfills. */
  scan(filter?: { readonly status?: OrderStatus }): AsyncIterable<Order>;
  /** Admin search: every given field must match; `createdFrom` inclusive, `createdTo` exclusive; newest first. */
  search(filter: OrderFilter, page: Page): Promise<Order[]>;
  /** Every order `search` would list, in its order, streamed (an export reads one pass, not pages). */
  streamSearch(filter: OrderFilter): AsyncIterable<Order>;
  /**
   * For the audit: where the store's own bookkeeping of orders is broken (the Mongo store: a user's
   * order numbers with a gap, which would hide orders from that user's list; an order its hour
   * directory lacks, which the console's list would skip), by audit check. Absent where a store keeps none.
   */
  storeFaults?(): AsyncIterable<{
    readonly check?: string;
    readonly subject: string;
    readonly message: string;
  }>;
  /**
   * Brings orders stored by an earlier version into what `search` reads (the Mongo store: its
   * directory of hours); until one run has finished, `search` reads them the old, slower way. The
   * store rewrites those orders, so before finishing it calls `run.repair(since)` — since the first
   * run began — to mend what a rewrite may have overwritten; `repair` answers whether it finished.
   * Safe to repeat and to stop (`stop` is asked between orders). Absent where a store needs none.
   */
  backfillHours?(
    stop: () => boolean,
    run: { readonly now: Date; readonly repair: (since: Date) => Promise<boolean> },
  ): Promise<{ readonly entered: number; readonly finished: boolean }>;
}

export interface OrderFilter {
  readonly status?: OrderStatus;
  readonly userId?: number;
  readonly orderNo?: string;
  /** Exact amount in fen. */
  readonly amountFen?: number;
  readonly createdFrom?: Date;
  readonly createdTo?: Date;
}

/**
 * Refund attempts and their insert-only events. Every decision rests on the unique inserts; the
 * `state` projection only lets the follower find unfinished attempts (and may lag behind the events).
 */
export interface Refunds {
  /**
   * Inserts the attempt unless (orderId, attempt) exists; returns the one that won. Throws when the
   * outRefundNo belongs to another attempt (never reuse a refund number).
   */
  claim(attempt: RefundAttempt): Promise<{ attempt: RefundAttempt; created: boolean }>;
  /** The order's attempts, attempt 1 first. */
  attempts(orderId: number): Promise<RefundAttempt[]>;
  findByOutRefundNo(outRefundNo: string): Promise<RefundAttempt | null>;
  /** Inserts the event unless its (outRefundNo, stage) exists; returns the one that won. */
  record(event: RefundEvent): Promise<{ event: RefundEvent; created: boolean }>;
  /** The attempt's events (at most one per stage). */
  events(outRefundNo: string): Promise<RefundEvent[]>;
  /** Moves the `state` projection to `to` if it is still one of `from`. Last writer wins; nothing relies on it. */
  project(outRefundNo: string, from: readonly RefundState[], to: RefundState): Promise<void>;
  /** Up to `limit` attempts whose projection is `state`, oldest first (for the follower). */
  listByState(state: RefundState, limit: number): Promise<RefundAttempt[]>;
}

/** One scheduled look at one order by the sweeper (usecases/checks.ts). */
export interface Check {
  readonly orderNo: string;
  /** Minutes since the epoch: checks are bucketed by minute so a run finds them by equality. */
  readonly dueMinute: number;
  /** How many checks of this order came before (the back-off step). */
  readonly attempt: number;
}

/** The sweeper's work queue: every read is an equality on one minute's bucket. */
export interface Checks {
  /** Adds the check unless the order already has one in that minute. */
  schedule(check: Check): Promise<void>;
  /** Up to `limit` checks of one minute. */
  due(minute: number, limit: number): Promise<Check[]>;
  /**
   * Takes the check for the run of `runMinute`: true for one caller only, so two instances reading
   * the same bucket do not both ask the provider. A claim lapses with its minute (a crashed claimer
   * blocks nobody for long).
   */
  claim(check: Check, runMinute: number): Promise<boolean>;
  /** Drops the claims of a past run minute (an equality delete). */
  forgetClaims(runMinute: number): Promise<void>;
  /** Removes a handled check; removing it twice is harmless. */
  complete(check: Check): Promise<void>;
  /** Where a run may start reading: no check is due before it (a hint shared by all instances). */
  cursor(): Promise<number | null>;
  setCursor(minute: number): Promise<void>;
  /** True for exactly one caller per name, ever (one-off jobs such as a backfill). */
  claimOnce(name: string): Promise<boolean>;
  /** Whether someone claimed `name` (a job that marks itself done at its end). */
  wasClaimed(name: string): Promise<boolean>;
}

/** Provider calls per minute, shared by every instance: each call takes a uniquely inserted token. */
export interface CallBudget {
  /** Takes one of the minute's `limit` calls; false once all are taken. */
  take(minute: number, limit: number): Promise<boolean>;
  /** Drops a past minute's tokens (an equality delete). */
  forget(minute: number): Promise<void>;
}

/** What the sweeper could not resolve, for a human (GET /api/admin/reviews). */
export interface Reviews {
  /** Opens the review unless one with its id exists. */
  open(review: NewReview): Promise<void>;
  /** Newest first; `open` alone when `openOnly`. */
  list(filter: { readonly openOnly?: boolean }, page: Page): Promise<Review[]>;
  find(id: string): Promise<Review | null>;
  /** Marks it resolved with a note; null when no such review. */
  resolve(id: string, note: string, at: Date): Promise<Review | null>;
  /** Every review, streamed (for the audit). */
  scan(): AsyncIterable<Review>;
  /** Stores whose "all" list reads an index that older reviews lack: enters those (run again if unfinished). */
  backfillList?(stop: () => boolean): Promise<{ entered: number; finished: boolean }>;
}

/** Insert-only: which statuses each order reached (domain/status.ts). */
export interface StatusChanges {
  /** Records the change unless the order already reached that status (then nothing changes); true when this call recorded it. */
  record(change: StatusChange): Promise<boolean>;
  /** The order's recorded changes, in any order; empty for orders from before they were recorded. */
  list(orderId: number): Promise<StatusChange[]>;
  /** Changes whose `at` falls in the UTC hour `hour` (figures.ts `hourOf`): an indexed equality. */
  inHour(hour: number): Promise<StatusChange[]>;
}

export interface Settlements {
  /** Inserts the order's settlement unless one exists; returns the one that won. */
  record(settlement: Settlement): Promise<{ settlement: Settlement; created: boolean }>;
  find(orderId: number): Promise<Settlement | null>;
  /** Settlements whose `settledAt` falls in the UTC hour `hour` (figures.ts `hourOf`): an indexed equality. */
  inHour(hour: number): Promise<Settlement[]>;
  /** Every settlement, streamed (the one-off backfill of payment claims). */
  scan(): AsyncIterable<Settlement>;
  /**
   * Ties a provider transaction to one order for good, by a unique insert keyed by the transaction
   * id: returns the claim that holds it — this one, unless another order claimed it first.
   */
  claimPayment(claim: PaymentClaim): Promise<PaymentClaim>;
  /** The claim holding `paymentId`, or null when no order claimed it. */
  paymentClaim(paymentId: string): Promise<PaymentClaim | null>;
}

export interface Ledger {
  /** The user's newest entry (highest seq), or null for an empty history. */
  head(userId: number): Promise<LedgerEntry | null>;
  findByKey(idempotencyKey: string): Promise<LedgerEntry | null>;
  /**
   * Appends with an allocated id. `duplicate` when the unique (userId, seq) or idempotency key was
   * taken by a concurrent writer (or an allocated id collided): the caller re-reads and decides.
   */
  insert(entry: NewLedgerEntry): Promise<LedgerEntry | 'duplicate'>;
  /** The user's entries, newest first. */
  list(userId: number, page: Page): Promise<LedgerEntry[]>;
  /** The user's entries oldest first, streamed (for the audit). */
  scanUser(userId: number): AsyncIterable<LedgerEntry>;
  /**
   * Entries whose `createdAt` falls in the UTC hour `hour` (figures.ts `hourOf`): an indexed equality.
   * Entries stored before the hour was recorded are not found; the credit baseline covers them.
   */
  inHour(hour: number): Promise<LedgerEntry[]>;
}

/**
 * The dashboard's insert-only aggregates (figures.ts): the sums of each final hour, so a new process
 * reads one small document per hour instead of the hour's records, and credit totals through an
 * hour, so the dashboard never sums the whole ledger.
 */
export interface FigureStore {
  /** Stores an hour's sums unless that hour has them (they never change once the hour is final). */
  saveHour(hour: number, figures: HourFigures): Promise<void>;
  hour(hour: number): Promise<HourFigures | null>;
  /** Stores it unless one exists for its hour. */
  saveSnapshot(snapshot: CreditSnapshot): Promise<void>;
  /** The snapshot with the highest `throughHour` (or an older one: the pointer may lag), null when none. */
  latestSnapshot(): Promise<CreditSnapshot | null>;
}

export type LoginFailure = 'code_invalid' | 'rate_limited' | 'user_blocked' | 'unavailable';

/** WeChat `jscode2session`: a wx.login() code → the user's openid for our appid. */
export interface WechatLogin {
  exchange(
    code: string,
  ): Promise<
    { ok: true; openid: string; sessionKey: string } | { ok: false; reason: LoginFailure; message: string }
  >;
}

/**
 * Each user's newest WeChat `session_key` (xpay's `signature` is computed with it; any later login
 * replaces it at WeChat, so the newest one stored wins). Versions are inserted under a unique
 * (user, n): concurrent logins each take their own version and never overwrite one another, and the
 * reader takes the highest n. The values are opaque here; the composition root seals them
 * (AES-256-GCM) before any adapter sees them.
 */
export interface SessionKeys {
  /** Stores `value` as the user's newest key. */
  save(userId: number, value: string, at: Date): Promise<void>;
  /** The user's newest key, or null when none was ever stored. */
  latest(userId: number): Promise<string | null>;
}

/** Insert-only: one reconciliation report per statement date (domain/statement.ts). */
export interface StatementReports {
  /** Stores the report unless one exists for its date; answers the stored one and whether this call stored it. */
  save(report: StatementReport): Promise<{ report: StatementReport; created: boolean }>;
  find(date: string): Promise<StatementReport | null>;
  /** Newest date first. */
  list(page: Page): Promise<StatementReport[]>;
}

/**
 * Insert-only: each finished run of the integrity audit (domain/audit.ts), whoever started it. A run
 * is stored once, under its own id, and never changed (FerretDB does not make updates atomic).
 */
export interface AuditReports {
  /** Stores the run unless its id exists; true when this call stored it. */
  save(report: StoredAuditReport): Promise<boolean>;
  /** The run that finished last (the higher id on a tie), or null before the first. */
  latest(): Promise<StoredAuditReport | null>;
}

/**
 * Uses of a key per fixed window of `windowSeconds` (windows aligned to the epoch), shared by every
 * instance: each use is a uniquely inserted slot `1..limit` of that window, so any number of
 * concurrent takers on any number of instances get at most `limit` uses in total.
 */
export interface RateWindows {
  /** Takes one of the window's `limit` uses; false when all are taken. */
  take(key: string, limit: number, windowSeconds: number, now: Date): Promise<boolean>;
  /** True when every use of the current window is taken; takes nothing. */
  exhausted(key: string, limit: number, windowSeconds: number, now: Date): Promise<boolean>;
  /** Drops the records of windows that ended before `now` (housekeeping). */
  purge(now: Date): Promise<void>;
}

/** Keys that exist once: the first claim wins, later claims read the note the winner left. */
export interface OnceKeys {
  /** Claims `key` until `until`; `first` for exactly one caller, whatever the concurrency. */
  claim(key: string, until: Date): Promise<{ first: true } | { first: false; note: string | null }>;
  /** The winner's note (e.g. its answer), for later claimers. */
  note(key: string, note: string): Promise<void>;
  /** Drops keys whose `until` has passed (housekeeping). */
  purge(now: Date): Promise<void>;
}

/**
 * At most `limit` unfinished orders per user. A slot is taken by a unique insert before the order is
 * stored and given back once, when the order leaves `pending` (settled or cancelled).
 */
export interface PendingSlots {
  /** Takes a slot for `orderNo`; false when the user's `limit` slots are all held. */
  claim(userId: number, orderNo: string, limit: number, now: Date): Promise<boolean>;
  /** Gives back the slot `orderNo` holds: once, and nothing when it never held one. */
  release(orderNo: string, now: Date): Promise<void>;
  /** The slots the user holds now (to find one whose release was lost). */
  held(userId: number): Promise<{ orderNo: string; claimedAt: Date }[]>;
}

/** A per-user running total per local day that concurrent additions cannot push past a cap. */
export interface SpendTallies {
  /**
   * Adds `amountFen` under `key` to the user's total of `day` unless the total would pass `capFen`.
   * True when added, or when `key` was added before (repeating is harmless).
   */
  add(
    userId: number,
    day: string,
    key: string,
    amountFen: number,
    capFen: number,
    now: Date,
  ): Promise<boolean>;
  /** Takes back what `key` added: once, and nothing when it added nothing. */
  remove(userId: number, day: string, key: string, now: Date): Promise<void>;
  /** Drops the tallies of days long past (housekeeping). */
  purge(now: Date): Promise<void>;
}

/** One access_token of an appid as fetched from WeChat; generations are numbered 1, 2, … per appid. */
export interface TokenGeneration {
  readonly appid: string;
  readonly generation: number;
  readonly token: string;
  readonly fetchedAt: Date;
  readonly expiresAt: Date;
  /** Some API call reported this token invalid (40001/42001/40014): the next reader fetches anew. */
  readonly invalid: boolean;
}

/**
 * The WeChat access_token shared by every instance (brief §3). Each generation is taken by a unique
 * insert, and so is the lease to fetch it: one instance calls WeChat per generation.
 */
export interface AccessTokenStore {
  /** The newest generation of the appid, or null before the first. */
  latest(appid: string): Promise<TokenGeneration | null>;
  /** Inserts the generation unless its number exists; answers the stored one. */
  save(
    generation: Omit<TokenGeneration, 'invalid'>,
  ): Promise<{ generation: TokenGeneration; created: boolean }>;
  /**
   * The right to fetch `generation`, held until `until`: true for exactly one caller while it holds;
   * once a holder's time is up (it died or hangs) one later caller takes it over.
   */
  lease(appid: string, generation: number, now: Date, until: Date): Promise<boolean>;
  /** Marks the generation invalid if its token is `token` (compare-and-set); true when it was. */
  invalidate(appid: string, generation: number, token: string): Promise<boolean>;
  /** Drops generations and leases long expired (housekeeping). */
  purge(now: Date): Promise<void>;
}

/** Insert-only: the orders whose shipping WeChat has (domain/shipping.ts). */
export interface Shipments {
  /** Records it unless the order has a record; answers the stored one and whether this call stored it. */
  record(record: ShippingRecord): Promise<{ record: ShippingRecord; created: boolean }>;
  find(orderId: number): Promise<ShippingRecord | null>;
}

/** WeChat's `upload_shipping_info` for one credited order (virtual goods, logistics_type 3). */
export interface ShippingInfo {
  upload(request: ShippingRequest): Promise<ShippingResult>;
}

/**
 * Insert-only record of each provider call, callback and sweeper decision (domain/payment-events.ts),
 * read by the order timeline. Records expire after the retention they carry (`expiresAt`, which a
 * store may keep to the minute only).
 */
export interface PaymentEvents {
  /** Stores the record (ids are unique; recording the same id again changes nothing). */
  record(event: PaymentEventRecord): Promise<void>;
  /** The order's records, newest first (at, then id, descending). */
  listByOrder(orderNo: string, page: PaymentEventPage): Promise<PaymentEventRecord[]>;
  /** Records of `day` (local `YYYY-MM-DD`) that concern no known order, newest first. */
  listUnmatched(day: string, page: PaymentEventPage): Promise<PaymentEventRecord[]>;
  /** Drops records whose `expiresAt` has passed (housekeeping). */
  purge(now: Date): Promise<void>;
}

/**
 * Raises an alert for a human (domain/alert.ts). Fire-and-forget: it returns at once and never
 * throws, so no money path waits for, or fails with, the alerting.
 */
export interface Alerts {
  raise(alert: Alert): void;
}

/** The alerts' outbox: insert-unique alerts, insert-only delivery attempts, a state projection. */
export interface AlertOutbox {
  /** Stores the alert unless one with its id exists; true when this call stored it (deduplication). */
  add(alert: StoredAlert): Promise<boolean>;
  find(id: string): Promise<StoredAlert | null>;
  /** Up to `limit` alerts whose projection is `state`, oldest raised first (for the delivery job). */
  listByState(state: AlertState, limit: number): Promise<StoredAlert[]>;
  /** Newest raised first, optionally only one state (for the admin). */
  list(filter: { readonly state?: AlertState }, page: Page): Promise<StoredAlert[]>;
  /** Updates the projection; last writer wins, and delivery decisions rest on `claim`, not on it. */
  project(id: string, patch: AlertPatch): Promise<void>;
  /** Takes the delivery of `minute` for the alert: true for one caller only. */
  claim(id: string, minute: number, at: Date): Promise<boolean>;
  /** Records the outcome of a claimed minute (once per alert, minute and stage). */
  record(attempt: DeliveryAttempt): Promise<void>;
  /** The alert's claims and outcomes, in any order. */
  attempts(id: string): Promise<DeliveryAttempt[]>;
  /**
   * Deletes alerts raised before `before` and delivery records made before it (housekeeping,
   * ALERT_RETENTION_DAYS). Safe to repeat and to run in several instances at once.
   */
  purge(before: Date): Promise<void>;
  /**
   * Stores whose list reads an index that alerts of an earlier version lack: enters those alerts, and
   * says whether all are in (false also while some are still being delivered; run it again later).
   */
  backfillList?(
    stop: () => boolean,
    opts?: { readonly delivering: boolean },
  ): Promise<{ entered: number; waiting: number; finished: boolean }>;
}

/** Where alerts go (a WeCom robot, a generic JSON webhook). */
export interface AlertChannel {
  /** ok, or why not (network error, non-2xx, an `errcode` ≠ 0); never throws. The message carries no secret. */
  send(alert: StoredAlert): Promise<Result<void, { readonly message: string }>>;
}
