import {
  type AuditDayQuery,
  type AuditPage,
  type AuditTarget,
  dayPage,
  newestFirst,
  type OperatorAuditEntry,
  targetKey,
} from '../../domain/operators/audit';
import type { NewOperator, Operator, OperatorPatch } from '../../domain/operators/operator';
import {
  AUDIT_SCAN_CAP,
  type LoginLock,
  type LoginLocks,
  type OperatorAudit,
  type OperatorSession,
  type OperatorSessions,
  type Operators,
} from '../../domain/operators/ports';
import type { Edit, Page } from '../../domain/ports';
import { err, ok, type Result } from '../../domain/result';

/** No await between a check and its write: atomic here, as the unique inserts are in Mongo. */
export class MemoryOperators implements Operators {
  private readonly rows = new Map<number, Operator>();

  async create(op: NewOperator, now: Date): Promise<Result<Operator, { kind: 'username_taken' }>> {
    if ([...this.rows.values()].some((o) => o.username === op.username))
      return err({ kind: 'username_taken' });
    const id = Math.max(0, ...this.rows.keys()) + 1;
    const created: Operator = {
      ...op,
      id,
      disabled: false,
      totpSecret: null,
      sessionGeneration: 0,
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
    this.rows.set(id, created);
    return ok(created);
  }

  async findById(id: number): Promise<Operator | null> {
    return this.rows.get(id) ?? null;
  }

  async findByUsername(username: string): Promise<Operator | null> {
    return [...this.rows.values()].find((o) => o.username === username) ?? null;
  }

  async list(page: Page): Promise<Operator[]> {
    return [...this.rows.values()].sort((a, b) => a.id - b.id).slice(page.skip, page.skip + page.limit);
  }

  async update(
    id: number,
    patch: OperatorPatch,
    now: Date,
    expectedVersion?: number,
  ): Promise<Edit<Operator>> {
    const current = this.rows.get(id);
    if (!current) return err({ kind: 'not_found' });
    if (expectedVersion !== undefined && expectedVersion !== current.version)
      return err({ kind: 'version_conflict', current: current.version });
    const updated: Operator = {
      ...current,
      ...(patch.role !== undefined ? { role: patch.role } : {}),
      ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}),
      ...(patch.passwordHash !== undefined ? { passwordHash: patch.passwordHash } : {}),
      ...(patch.totpSecret !== undefined ? { totpSecret: patch.totpSecret } : {}),
      sessionGeneration: current.sessionGeneration + (patch.endSessions ? 1 : 0),
      updatedAt: now,
      version: current.version + 1,
    };
    this.rows.set(id, updated);
    return ok(updated);
  }
}

export class MemoryOperatorSessions implements OperatorSessions {
  private readonly sessions = new Map<string, OperatorSession>();
  private readonly ended = new Map<string, Date>();

  async start(session: OperatorSession): Promise<void> {
    if (!this.sessions.has(session.digest)) this.sessions.set(session.digest, session);
  }

  async find(digest: string): Promise<{ session: OperatorSession; ended: boolean } | null> {
    const session = this.sessions.get(digest);
    return session ? { session, ended: this.ended.has(digest) } : null;
  }

  async end(digest: string, _at: Date, expiresAt: Date): Promise<void> {
    if (!this.ended.has(digest)) this.ended.set(digest, expiresAt);
  }

  async purge(now: Date): Promise<void> {
    for (const [digest, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(digest);
    for (const [digest, until] of this.ended) if (until <= now) this.ended.delete(digest);
  }
}

export class MemoryLoginLocks implements LoginLocks {
  private readonly rows = new Map<string, { lock: LoginLock; forgetAt: Date }>();

  async list(key: string, period: string): Promise<LoginLock[]> {
    return [...this.rows.values()]
      .filter((r) => r.lock.key === key && r.lock.period === period)
      .map((r) => r.lock);
  }

  async add(lock: LoginLock, forgetAt: Date): Promise<boolean> {
    const id = `${lock.key}|${lock.period}|${lock.level}`;
    if (this.rows.has(id)) return false;
    this.rows.set(id, { lock, forgetAt });
    return true;
  }

  async purge(now: Date): Promise<void> {
    for (const [id, r] of this.rows) if (r.forgetAt <= now) this.rows.delete(id);
  }
}

/** Reads as the Mongo adapter does: at most AUDIT_SCAN_CAP matches (in insertion order), then sorted. */
export class MemoryOperatorAudit implements OperatorAudit {
  private readonly rows: OperatorAuditEntry[] = [];

  async record(entry: OperatorAuditEntry): Promise<void> {
    if (!this.rows.some((r) => r.id === entry.id)) this.rows.push(entry);
  }

  listDay(q: AuditDayQuery, page: Page): Promise<AuditPage> {
    return dayPage(
      (hour) =>
        this.page(
          (e) =>
            e.day === q.day &&
            e.hour === hour &&
            (q.actorId === undefined || e.actor.id === q.actorId) &&
            (q.target === undefined || targetKey(e.target) === targetKey(q.target)),
          { skip: 0, limit: AUDIT_SCAN_CAP },
        ),
      page,
    );
  }

  byTarget(target: AuditTarget, page: Page): Promise<AuditPage> {
    return this.page((e) => targetKey(e.target) === targetKey(target), page);
  }

  byActor(actorId: number, page: Page): Promise<AuditPage> {
    return this.page((e) => e.actor.id === actorId, page);
  }

  private async page(keep: (e: OperatorAuditEntry) => boolean, page: Page): Promise<AuditPage> {
    const matched = this.rows.filter(keep);
    const scanned = matched.slice(0, AUDIT_SCAN_CAP).sort(newestFirst);
    return {
      entries: scanned.slice(page.skip, page.skip + page.limit),
      truncated: matched.length > AUDIT_SCAN_CAP,
    };
  }
}
