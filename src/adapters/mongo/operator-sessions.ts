import { type Connection, Schema } from 'mongoose';
import type { OperatorSession, OperatorSessions } from '../../domain/operators/ports';
import { insertOnce, modelOf, schemaOptions } from './connection';
import { expiryMinute, expiryPurger } from './expiry';

interface SessionDoc {
  _id: string;
  operator_id: number;
  generation: number;
  created_at: Date;
  expires_at: Date;
  exp: number;
}

interface EndedDoc {
  _id: string;
  at: Date;
  exp: number;
}

const sessionSchema = new Schema<SessionDoc>(
  {
    _id: String,
    operator_id: { type: Number, required: true },
    generation: { type: Number, required: true },
    created_at: { type: Date, required: true },
    expires_at: { type: Date, required: true },
    exp: { type: Number, required: true, index: true },
  },
  schemaOptions('operator_sessions'),
);

const endedSchema = new Schema<EndedDoc>(
  { _id: String, at: { type: Date, required: true }, exp: { type: Number, required: true, index: true } },
  schemaOptions('operator_sessions_ended'),
);

/**
 * Sessions under the digest of their token; a logout inserts an `ended` record under the same
 * digest (insert-only: no update to lose). Both expire with the session (`exp`, housekeeping).
 */
export class MongoOperatorSessions implements OperatorSessions {
  private readonly sessions;
  private readonly ended;
  private readonly purgeSessions;
  private readonly purgeEnded;

  constructor(conn: Connection) {
    this.sessions = modelOf<SessionDoc>(conn, 'OperatorSession', sessionSchema);
    this.ended = modelOf<EndedDoc>(conn, 'OperatorSessionEnded', endedSchema);
    this.purgeSessions = expiryPurger(conn, 'operator_sessions', this.sessions);
    this.purgeEnded = expiryPurger(conn, 'operator_sessions_ended', this.ended);
  }

  async start(s: OperatorSession): Promise<void> {
    await insertOnce(this.sessions, {
      _id: s.digest,
      operator_id: s.operatorId,
      generation: s.generation,
      created_at: s.createdAt,
      expires_at: s.expiresAt,
      exp: expiryMinute(s.expiresAt.getTime()),
    });
  }

  async find(digest: string): Promise<{ session: OperatorSession; ended: boolean } | null> {
    const [doc, ended] = await Promise.all([
      this.sessions.findById(digest).lean<SessionDoc>().exec(),
      this.ended.exists({ _id: digest }).exec(),
    ]);
    if (!doc) return null;
    return {
      session: {
        digest: doc._id,
        operatorId: doc.operator_id,
        generation: doc.generation,
        createdAt: doc.created_at,
        expiresAt: doc.expires_at,
      },
      ended: ended !== null,
    };
  }

  async end(digest: string, at: Date, expiresAt: Date): Promise<void> {
    await insertOnce(this.ended, { _id: digest, at, exp: expiryMinute(expiresAt.getTime()) });
  }

  async purge(now: Date): Promise<void> {
    await this.purgeSessions(now);
    await this.purgeEnded(now);
  }
}
