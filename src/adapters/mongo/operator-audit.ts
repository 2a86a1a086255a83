import { type Connection, Schema } from 'mongoose';
import {
  type AuditDayQuery,
  type AuditPage,
  type AuditTarget,
  type AuditTargetKind,
  dayPage,
  newestFirst,
  type OperatorAuditEntry,
  targetKey,
} from '../../domain/operators/audit';
import { AUDIT_SCAN_CAP, type OperatorAudit } from '../../domain/operators/ports';
import type { Page } from '../../domain/ports';
import { insertOnce, modelOf, schemaOptions } from './connection';

interface AuditDoc {
  _id: string;
  at: Date;
  day: string;
  hour: number;
  actor_id: number | null;
  actor_username: string;
  ip: string;
  action: string;
  target_kind: AuditTargetKind;
  target_id: string;
  /** `kind:id`: one equality finds a target's entries. */
  target_key: string;
  before: unknown;
  after: unknown;
  reason: string | null;
}

const schema = new Schema<AuditDoc>(
  {
    _id: String,
    at: { type: Date, required: true },
    day: { type: String, required: true },
    hour: { type: Number, required: true },
    actor_id: { type: Number, default: null, index: true },
    actor_username: { type: String, required: true },
    ip: { type: String, required: true },
    action: { type: String, required: true },
    target_kind: { type: String, required: true },
    target_id: { type: String, required: true },
    target_key: { type: String, required: true, index: true },
    before: { type: Schema.Types.Mixed, default: null },
    after: { type: Schema.Types.Mixed, default: null },
    reason: { type: String, default: null },
  },
  schemaOptions('operator_audit'),
);
schema.index({ day: 1, hour: 1 });

const toDomain = (d: AuditDoc): OperatorAuditEntry => ({
  id: d._id,
  at: d.at,
  day: d.day,
  hour: d.hour,
  actor: { id: d.actor_id ?? null, username: d.actor_username },
  ip: d.ip,
  action: d.action,
  target: { kind: d.target_kind, id: d.target_id },
  before: d.before ?? null,
  after: d.after ?? null,
  reason: d.reason ?? null,
});

/** Insert-only. Every listing is equalities on indexed fields; sorting happens here, within the cap. */
export class MongoOperatorAudit implements OperatorAudit {
  private readonly model;

  constructor(conn: Connection) {
    this.model = modelOf<AuditDoc>(conn, 'OperatorAuditEntry', schema);
  }

  async record(e: OperatorAuditEntry): Promise<void> {
    await insertOnce(this.model, {
      _id: e.id,
      at: e.at,
      day: e.day,
      hour: e.hour,
      actor_id: e.actor.id,
      actor_username: e.actor.username,
      ip: e.ip,
      action: e.action,
      target_kind: e.target.kind,
      target_id: e.target.id,
      target_key: targetKey(e.target),
      before: e.before ?? null,
      after: e.after ?? null,
      reason: e.reason,
    });
  }

  listDay(q: AuditDayQuery, page: Page): Promise<AuditPage> {
    return dayPage(
      (hour) =>
        this.read({
          day: q.day,
          hour,
          ...(q.actorId !== undefined ? { actor_id: q.actorId } : {}),
          ...(q.target ? { target_key: targetKey(q.target) } : {}),
        }),
      page,
    );
  }

  async byTarget(target: AuditTarget, page: Page): Promise<AuditPage> {
    return slice(await this.read({ target_key: targetKey(target) }), page);
  }

  async byActor(actorId: number, page: Page): Promise<AuditPage> {
    return slice(await this.read({ actor_id: actorId }), page);
  }

  /** One more than the cap tells whether the cap cut the set short. */
  private async read(
    filter: Partial<AuditDoc>,
  ): Promise<{ entries: OperatorAuditEntry[]; truncated: boolean }> {
    const docs = await this.model
      .find(filter)
      .limit(AUDIT_SCAN_CAP + 1)
      .lean<AuditDoc[]>()
      .exec();
    return { entries: docs.slice(0, AUDIT_SCAN_CAP).map(toDomain), truncated: docs.length > AUDIT_SCAN_CAP };
  }
}

function slice(read: { entries: OperatorAuditEntry[]; truncated: boolean }, page: Page): AuditPage {
  const sorted = read.entries.sort(newestFirst);
  return { entries: sorted.slice(page.skip, page.skip + page.limit), truncated: read.truncated };
}
