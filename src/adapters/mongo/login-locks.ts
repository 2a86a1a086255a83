import { type Connection, Schema } from 'mongoose';
import type { LoginLock, LoginLocks } from '../../domain/operators/ports';
import { insertOnce, modelOf, schemaOptions } from './connection';
import { digest, expiryMinute, expiryPurger } from './expiry';

interface LockDoc {
  /** `<bucket>:<level>`: one insert wins each level. */
  _id: string;
  /** Digest of key + period: usernames and addresses never reach the database as such. */
  bucket: string;
  level: number;
  until: Date;
  exp: number;
}

const schema = new Schema<LockDoc>(
  {
    _id: String,
    bucket: { type: String, required: true, index: true },
    level: { type: Number, required: true },
    until: { type: Date, required: true },
    exp: { type: Number, required: true, index: true },
  },
  schemaOptions('operator_login_locks'),
);

/** A period holds a few dozen locks of a key at most (each needs a full window of failures). */
const MAX_LOCKS_READ = 500;

export class MongoLoginLocks implements LoginLocks {
  private readonly model;
  readonly purge;

  constructor(conn: Connection) {
    this.model = modelOf<LockDoc>(conn, 'OperatorLoginLock', schema);
    this.purge = expiryPurger(conn, 'operator_login_locks', this.model);
  }

  async list(key: string, period: string): Promise<LoginLock[]> {
    const docs = await this.model
      .find({ bucket: digest(`${key}\n${period}`) })
      .limit(MAX_LOCKS_READ)
      .lean<LockDoc[]>()
      .exec();
    return docs.map((d) => ({ key, period, level: d.level, until: d.until }));
  }

  async add(lock: LoginLock, forgetAt: Date): Promise<boolean> {
    const bucket = digest(`${lock.key}\n${lock.period}`);
    return insertOnce(this.model, {
      _id: `${bucket}:${lock.level}`,
      bucket,
      level: lock.level,
      until: lock.until,
      exp: expiryMinute(forgetAt.getTime()),
    });
  }
}
