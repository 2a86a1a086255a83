import { type Connection, Schema } from 'mongoose';
import type { PendingSlots } from '../../domain/ports';
import { insertOnce, isDuplicateKey, modelOf, schemaOptions } from './connection';

interface ClaimDoc {
  _id: string;
  user_id: number;
  order_no: string;
  at: Date;
}
interface ReleaseDoc {
  _id: string;
  user_id: number;
  at: Date;
}

const claimSchema = new Schema<ClaimDoc>(
  {
    _id: String,
    user_id: { type: Number, required: true, index: true },
    order_no: { type: String, required: true, unique: true },
    at: { type: Date, required: true },
  },
  schemaOptions('pending_claims'),
);
const releaseSchema = new Schema<ReleaseDoc>(
  {
    _id: String,
    user_id: { type: Number, required: true, index: true },
    at: { type: Date, required: true },
  },
  schemaOptions('pending_releases'),
);

/**
 * Insert-only, so nothing depends on FerretDB's non-atomic updates or deletes. Claims are numbered per
 * user, `<user>:<n>`, densely from 1 (each claimer takes the first free number); a release is one
 * insert per order number. With R releases counted, a claimer may take a number up to R + limit. R
 * only grows and a stale count is smaller, so at any moment claims ≤ releases + limit: at most
 * `limit` unreleased. Both grow by one record per order (like the orders themselves).
 */
export class MongoPendingSlots implements PendingSlots {
  private readonly claims;
  private readonly releases;

  constructor(conn: Connection) {
    this.claims = modelOf<ClaimDoc>(conn, 'PendingClaim', claimSchema);
    this.releases = modelOf<ReleaseDoc>(conn, 'PendingRelease', releaseSchema);
  }

  async claim(userId: number, orderNo: string, limit: number, now: Date): Promise<boolean> {
    const released = await this.releases.countDocuments({ user_id: userId }).exec();
    for (let n = released + 1; n <= released + limit; n++) {
      try {
        await this.claims.create({ _id: `${userId}:${n}`, user_id: userId, order_no: orderNo, at: now });
        return true;
      } catch (e) {
        if (!isDuplicateKey(e)) throw e;
      }
    }
    // All taken — possibly by this very order number (a repeated claim keeps its slot).
    const own = await this.claims.exists({ order_no: orderNo }).exec();
    return own !== null && (await this.releases.exists({ _id: orderNo }).exec()) === null;
  }

  async release(orderNo: string, now: Date): Promise<void> {
    const claim = await this.claims.findOne({ order_no: orderNo }).lean<ClaimDoc>().exec();
    if (claim) await insertOnce(this.releases, { _id: orderNo, user_id: claim.user_id, at: now });
  }

  async held(userId: number): Promise<{ orderNo: string; claimedAt: Date }[]> {
    const [claims, releases] = await Promise.all([
      this.claims.find({ user_id: userId }).lean<ClaimDoc[]>().exec(),
      this.releases.find({ user_id: userId }).lean<ReleaseDoc[]>().exec(),
    ]);
    const gone = new Set(releases.map((r) => r._id));
    return claims.filter((c) => !gone.has(c.order_no)).map((c) => ({ orderNo: c.order_no, claimedAt: c.at }));
  }
}
