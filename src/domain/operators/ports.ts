import type { Edit, Page } from '../ports';
import type { Result } from '../result';
import type { AuditDayQuery, AuditPage, AuditTarget, OperatorAuditEntry } from './audit';
import type { NewOperator, Operator, OperatorPatch } from './operator';

/** Operator accounts. Adapters throw only on infrastructure faults; "not found" is null. */
export interface Operators {
  /** Inserts under a new id unless the username is taken (a unique index decides, whatever the concurrency). */
  create(operator: NewOperator, now: Date): Promise<Result<Operator, { readonly kind: 'username_taken' }>>;
  findById(id: number): Promise<Operator | null>;
  findByUsername(username: string): Promise<Operator | null>;
  /** Ordered by id. */
  list(page: Page): Promise<Operator[]>;
  /** Versioned as `Products.update`: concurrent edits never lose one another. */
  update(id: number, patch: OperatorPatch, now: Date, expectedVersion?: number): Promise<Edit<Operator>>;
}

/** Server side of a console session; the cookie holds the only copy of the token itself. */
export interface OperatorSession {
  /** SHA-256 digest of the cookie's token (base64url). */
  readonly digest: string;
  readonly operatorId: number;
  /** The operator's session generation when it started (a password reset ends older ones). */
  readonly generation: number;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

/**
 * Insert-only: a session is started by inserting it and ended by inserting an `ended` record under
 * its digest (a unique insert, not an update, so a logout can never be lost to a concurrent write).
 * Both records carry their expiry and are deleted by housekeeping after it.
 */
export interface OperatorSessions {
  start(session: OperatorSession): Promise<void>;
  /** The session with whether it was ended; null when unknown. */
  find(digest: string): Promise<{ session: OperatorSession; ended: boolean } | null>;
  /** Ends it; ending it again is harmless. */
  end(digest: string, at: Date, expiresAt: Date): Promise<void>;
  /** Drops records past their expiry (housekeeping). */
  purge(now: Date): Promise<void>;
}

/** One lock of a login key (a username or a client address) in a back-off period. */
export interface LoginLock {
  readonly key: string;
  /** The back-off period the lock belongs to (levels count up within it, from 1). */
  readonly period: string;
  readonly level: number;
  readonly until: Date;
}

/** Login lockouts with back-off: each level of a key's period is taken by a unique insert. */
export interface LoginLocks {
  /** Every lock of `key` in `period` (an equality; a period holds a few dozen at most). */
  list(key: string, period: string): Promise<LoginLock[]>;
  /** Records the lock unless its (key, period, level) exists; true when this call did. */
  add(lock: LoginLock, forgetAt: Date): Promise<boolean>;
  purge(now: Date): Promise<void>;
}

/**
 * Insert-only log of operator actions. Listings read by equality only (FerretDB serves nothing
 * else from an index) and sort in memory: each reads at most `AUDIT_SCAN_CAP` entries and says
 * `truncated` when there were more.
 */
export interface OperatorAudit {
  record(entry: OperatorAuditEntry): Promise<void>;
  /** One local day, optionally narrowed to an actor and/or a target (read as `dayPage` says). */
  listDay(query: AuditDayQuery, page: Page): Promise<AuditPage>;
  /** A target's entries (few per target): at most AUDIT_SCAN_CAP of them are read, then sorted. */
  byTarget(target: AuditTarget, page: Page): Promise<AuditPage>;
  /** An actor's entries, likewise; an actor with more is read day by day with `listDay`. */
  byActor(actorId: number, page: Page): Promise<AuditPage>;
}

/** The most entries one listing reads before sorting: a day busier than this is narrowed by filters. */
export const AUDIT_SCAN_CAP = 2000;

/** Password hashing (argon2id in production); behind a port so the domain stays free of the runtime. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
}
