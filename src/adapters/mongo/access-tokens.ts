import { type Connection, Schema } from 'mongoose';
import type { AccessTokenStore, TokenGeneration } from '../../domain/ports';
import { insertOnce, modelOf, schemaOptions } from './connection';
import { expiryMinute, expiryPurger } from './expiry';

interface GenerationDoc {
  _id: string;
  appid: string;
  generation: number;
  token: string;
  fetched_at: Date;
  expires_at: Date;
  invalid: boolean;
  exp: number;
}

const generationSchema = new Schema<GenerationDoc>(
  {
    _id: String,
    appid: { type: String, required: true },
    generation: { type: Number, required: true },
    token: { type: String, required: true },
    fetched_at: { type: Date, required: true },
    expires_at: { type: Date, required: true },
    invalid: { type: Boolean, default: false },
    exp: { type: Number, required: true, index: true },
  },
  schemaOptions('wechat_access_tokens'),
);
generationSchema.index({ appid: 1, generation: -1 });

interface LeaseDoc {
  _id: string;
  until: Date;
  exp: number;
}
const leaseSchema = new Schema<LeaseDoc>(
  { _id: String, until: { type: Date, required: true }, exp: { type: Number, required: true, index: true } },
  schemaOptions('wechat_access_token_leases'),
);

/** A generation is kept a day past its expiry (for looking back), then purged by its `exp` minute. */
const KEEP_MS = 24 * 3600_000;
/** Takeovers of one generation's lease before giving up for this call (each needs the previous to lapse). */
const MAX_TAKEOVERS = 50;

const toGeneration = (d: GenerationDoc): TokenGeneration => ({
  appid: d.appid,
  generation: d.generation,
  token: d.token,
  fetchedAt: d.fetched_at,
  expiresAt: d.expires_at,
  invalid: d.invalid === true,
});

/** `_id` = `<appid>:<generation>`; leases `<appid>:<generation>:<takeover n>`. */
export class MongoAccessTokens implements AccessTokenStore {
  private readonly model;
  private readonly leases;
  private readonly purgeGenerations;
  private readonly purgeLeases;

  constructor(conn: Connection) {
    this.model = modelOf<GenerationDoc>(conn, 'WechatAccessToken', generationSchema);
    this.leases = modelOf<LeaseDoc>(conn, 'WechatAccessTokenLease', leaseSchema);
    this.purgeGenerations = expiryPurger(conn, 'wechat_access_tokens', this.model);
    this.purgeLeases = expiryPurger(conn, 'wechat_access_token_leases', this.leases);
  }

  async latest(appid: string): Promise<TokenGeneration | null> {
    const doc = await this.model.findOne({ appid }).sort({ generation: -1 }).lean<GenerationDoc>().exec();
    return doc ? toGeneration(doc) : null;
  }

  async save(g: Omit<TokenGeneration, 'invalid'>) {
    const _id = `${g.appid}:${g.generation}`;
    const created = await insertOnce(this.model, {
      _id,
      appid: g.appid,
      generation: g.generation,
      token: g.token,
      fetched_at: g.fetchedAt,
      expires_at: g.expiresAt,
      invalid: false,
      exp: expiryMinute(g.expiresAt.getTime() + KEEP_MS),
    });
    const doc = await this.model.findById(_id).lean<GenerationDoc>().exec();
    if (!doc) throw new Error(`access token generation ${_id} vanished`);
    return { generation: toGeneration(doc), created };
  }

  async lease(appid: string, generation: number, now: Date, until: Date): Promise<boolean> {
    for (let n = 0; n < MAX_TAKEOVERS; n++) {
      const _id = `${appid}:${generation}:${n}`;
      if (await insertOnce(this.leases, { _id, until, exp: expiryMinute(until.getTime() + KEEP_MS) }))
        return true;
      const held = await this.leases.findById(_id).lean<LeaseDoc>().exec();
      // Still held (or just purged, which only happens long after it lapsed): not ours.
      if (held && held.until > now) return false;
    }
    return false;
  }

  /** A flag that only ever goes false → true: concurrent writers all write the same value. */
  async invalidate(appid: string, generation: number, token: string): Promise<boolean> {
    const r = await this.model
      .updateOne({ _id: `${appid}:${generation}`, token }, { $set: { invalid: true } })
      .exec();
    return r.matchedCount > 0;
  }

  async purge(now: Date): Promise<void> {
    await this.purgeGenerations(now);
    await this.purgeLeases(now);
  }
}
