import { type Connection, Schema } from 'mongoose';
import type { Edit, UserPatch, Users } from '../../domain/ports';
import { ok } from '../../domain/result';
import { type EndedSession, type Role, type Sessions, type User, withEndedSession } from '../../domain/user';
import { modelOf, schemaOptions } from './connection';
import { idAllocator } from './counters';
import { revisionedEdits } from './revisions';

interface UserDoc {
  _id: number;
  openid: string;
  nickname: string | null;
  avatar_url: string | null;
  role: Role;
  is_active: boolean;
  created_at: Date;
  updated_at: Date;
  /** Absent on users stored before sessions could be ended: generation 0, nothing ended. */
  token_generation?: number;
  ended_sessions?: { id: string; until: Date }[];
  version?: number;
}

const schema = new Schema<UserDoc>(
  {
    _id: Number,
    openid: { type: String, required: true, unique: true },
    nickname: { type: String, default: null },
    avatar_url: { type: String, default: null },
    role: { type: String, enum: ['user', 'admin'], default: 'user' },
    is_active: { type: Boolean, default: true },
    created_at: Date,
    updated_at: Date,
    token_generation: { type: Number, default: undefined },
    ended_sessions: { type: [{ _id: false, id: String, until: Date }], default: undefined },
    version: { type: Number, default: 1 },
  },
  schemaOptions('users'),
);

const toDomain = (d: UserDoc): User => ({
  id: d._id,
  openid: d.openid,
  nickname: d.nickname,
  avatarUrl: d.avatar_url,
  role: d.role,
  isActive: d.is_active,
  createdAt: d.created_at,
  updatedAt: d.updated_at,
  version: d.version ?? 1,
  sessions: {
    generation: d.token_generation ?? 0,
    ended: (d.ended_sessions ?? []).map((e) => ({ id: e.id, until: e.until })),
  },
});

export class MongoUsers implements Users {
  private readonly model;
  private readonly ids;
  private readonly edit;
  constructor(conn: Connection) {
    this.model = modelOf<UserDoc>(conn, 'User', schema);
    this.ids = idAllocator(conn, 'users');
    this.edit = revisionedEdits(conn, 'user', this.model);
  }

  async findById(id: number): Promise<User | null> {
    const doc = await this.model.findById(id).lean<UserDoc>().exec();
    return doc ? toDomain(doc) : null;
  }

  async findByOpenid(openid: string): Promise<User | null> {
    const doc = await this.model.findOne({ openid }).lean<UserDoc>().exec();
    return doc ? toDomain(doc) : null;
  }

  /** The unique openid index settles concurrent first logins: the loser reads the winner's row. */
  async ensure(openid: string, now: Date): Promise<{ user: User; created: boolean }> {
    const existing = await this.findByOpenid(openid);
    if (existing) return { user: existing, created: false };
    return this.ids.insert<{ user: User; created: boolean }>(
      async (id) => {
        const doc = {
          _id: id,
          openid,
          nickname: null,
          avatar_url: null,
          role: 'user' as const,
          is_active: true,
          version: 1,
        };
        await this.model.create({ ...doc, created_at: now, updated_at: now });
        return { user: toDomain({ ...doc, created_at: now, updated_at: now }), created: true };
      },
      async () => {
        const winner = await this.findByOpenid(openid);
        return winner ? { user: winner, created: false } : undefined;
      },
    );
  }

  async *scan(): AsyncIterable<User> {
    for await (const doc of this.model.find({}).lean<UserDoc>().batchSize(500).cursor())
      yield toDomain(doc as UserDoc);
  }

  async update(id: number, patch: UserPatch, now: Date, expectedVersion?: number): Promise<Edit<User>> {
    const set: Partial<UserDoc> = { updated_at: now };
    if (patch.role !== undefined) set.role = patch.role;
    if (patch.isActive !== undefined) set.is_active = patch.isActive;
    const edited = await this.edit(id, () => set, now, expectedVersion);
    return edited.ok ? ok(toDomain(edited.value)) : edited;
  }

  /** A revision like every other edit (revisions.ts), so a logout and an admin edit never lose each other. */
  async endSessions(id: number, which: EndedSession | 'all', now: Date): Promise<User | null> {
    const edited = await this.edit(
      id,
      (doc) => {
        const before = toDomain(doc).sessions;
        const one = which === 'all' ? null : withEndedSession(before, which, now);
        const after: Sessions = one ?? { generation: before.generation + 1, ended: [] };
        return {
          token_generation: after.generation,
          ended_sessions: after.ended.map((e) => ({ id: e.id, until: e.until })),
        };
      },
      now,
    );
    return edited.ok ? toDomain(edited.value) : null;
  }
}
