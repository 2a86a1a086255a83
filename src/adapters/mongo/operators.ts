import { type Connection, Schema } from 'mongoose';
import type { NewOperator, Operator, OperatorPatch, OperatorRole } from '../../domain/operators/operator';
import type { Operators } from '../../domain/operators/ports';
import type { Edit, Page } from '../../domain/ports';
import { err, ok, type Result } from '../../domain/result';
import { isDuplicateKey, modelOf, schemaOptions } from './connection';
import { idAllocator } from './counters';
import { revisionedEdits } from './revisions';

interface OperatorDoc {
  _id: number;
  username: string;
  role: OperatorRole;
  disabled: boolean;
  password_hash: string;
  totp_secret: string | null;
  session_generation: number;
  created_at: Date;
  updated_at: Date;
  version?: number;
}

const schema = new Schema<OperatorDoc>(
  {
    _id: Number,
    username: { type: String, required: true, unique: true },
    role: { type: String, enum: ['viewer', 'operator', 'admin'], required: true },
    disabled: { type: Boolean, default: false },
    password_hash: { type: String, required: true },
    totp_secret: { type: String, default: null },
    session_generation: { type: Number, default: 0 },
    created_at: Date,
    updated_at: Date,
    version: { type: Number, default: 1 },
  },
  schemaOptions('operators'),
);

const toDomain = (d: OperatorDoc): Operator => ({
  id: d._id,
  username: d.username,
  role: d.role,
  disabled: d.disabled,
  passwordHash: d.password_hash,
  totpSecret: d.totp_secret,
  sessionGeneration: d.session_generation,
  createdAt: d.created_at,
  updatedAt: d.updated_at,
  version: d.version ?? 1,
});

export class MongoOperators implements Operators {
  private readonly model;
  private readonly ids;
  private readonly edit;
  constructor(conn: Connection) {
    this.model = modelOf<OperatorDoc>(conn, 'Operator', schema);
    this.ids = idAllocator(conn, 'operators');
    this.edit = revisionedEdits(conn, 'operator', this.model);
  }

  /** The unique username index decides between concurrent creators; an id clash just draws again. */
  async create(op: NewOperator, now: Date): Promise<Result<Operator, { kind: 'username_taken' }>> {
    if (await this.findByUsername(op.username)) return err({ kind: 'username_taken' });
    try {
      return ok(
        await this.ids.insert(
          async (id) => {
            const doc: OperatorDoc = {
              _id: id,
              username: op.username,
              role: op.role,
              disabled: false,
              password_hash: op.passwordHash,
              totp_secret: null,
              session_generation: 0,
              created_at: now,
              updated_at: now,
              version: 1,
            };
            await this.model.create(doc);
            return toDomain(doc);
          },
          async () => {
            if (await this.findByUsername(op.username)) throw TAKEN;
            return undefined;
          },
        ),
      );
    } catch (e) {
      if (e === TAKEN || isDuplicateKey(e)) return err({ kind: 'username_taken' });
      throw e;
    }
  }

  async findById(id: number): Promise<Operator | null> {
    const doc = await this.model.findById(id).lean<OperatorDoc>().exec();
    return doc ? toDomain(doc) : null;
  }

  async findByUsername(username: string): Promise<Operator | null> {
    const doc = await this.model.findOne({ username }).lean<OperatorDoc>().exec();
    return doc ? toDomain(doc) : null;
  }

  /** Operators are few (a team, not a user base): a sorted page of the whole collection is fine. */
  async list(page: Page): Promise<Operator[]> {
    const docs = await this.model
      .find({})
      .sort({ _id: 1 })
      .skip(page.skip)
      .limit(page.limit)
      .lean<OperatorDoc[]>()
      .exec();
    return docs.map(toDomain);
  }

  async update(
    id: number,
    patch: OperatorPatch,
    now: Date,
    expectedVersion?: number,
  ): Promise<Edit<Operator>> {
    const edited = await this.edit(
      id,
      (doc) => {
        const set: Partial<OperatorDoc> = { updated_at: now };
        if (patch.role !== undefined) set.role = patch.role;
        if (patch.disabled !== undefined) set.disabled = patch.disabled;
        if (patch.passwordHash !== undefined) set.password_hash = patch.passwordHash;
        if (patch.totpSecret !== undefined) set.totp_secret = patch.totpSecret;
        // Computed from the version being replaced, so two resets both move it on.
        if (patch.endSessions) set.session_generation = (doc.session_generation ?? 0) + 1;
        return set;
      },
      now,
      expectedVersion,
    );
    return edited.ok ? ok(toDomain(edited.value)) : edited;
  }
}

/** Thrown out of the id allocator when the clash was the username, not the id. */
const TAKEN = Symbol('username_taken');
