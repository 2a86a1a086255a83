import { type Connection, Schema } from 'mongoose';
import type { PendingSlots } from '../../domain/ports';
import { insertOnce, isDuplicateKey, modelOf, schemaOptions } from './connection';
import { Recent } from './recent';
import { UserNumbers } from './user-numbers';

interface ClaimDoc {
  _id: string;
  user_id: number;
  order_no: string;
  at: Date;
}
/** A release stored before releases were numbered: `_id` is the order number. No longer written. */
interface LegacyReleaseDoc {
  _id: string;
  user_id: number;
  at: Date;
}
/** A release: `_id` = `<user>:<k>`, numbered densely from 1 per user; one per order number. */
interface ReleaseDoc {
  _id: string;
  user_id: number;
  order_no: string;
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
const legacyReleaseSchema = new Schema<LegacyReleaseDoc>(
  {
    _id: String,
    user_id: { type: Number, required: true, index: true },
    at: { type: Date, required: true },
  },
  schemaOptions('pending_releases'),
);
const releaseSchema = new Schema<ReleaseDoc>(
  {
    _id: String,
    user_id: { type: Number, required: true, index: true },
    order_no: { type: String, required: true, unique: true },
    at: { type: Date, required: true },
  },
  schemaOptions('pending_release_numbers'),
);

/** Users whose release counts a process keeps: one number each. */
const USERS_KEPT = 10_000;
/** Concurrent releases of one user each take the next number; each round has one winner. */
const MAX_ROUNDS = 100;

/**
 * Insert-only, so nothing depends on FerretDB's non-atomic updates or deletes. Claims are numbered per
 * user, `<user>:<n>`, densely from 1 (each claimer takes the first free number); releases too,
 * `<user>:<k>`, one per order number. With R releases, a claimer may take a number up to R + limit.
 * R only grows and a stale R is smaller, so at any moment claims ≤ releases + limit: at most `limit`
 * unreleased. R is the last release number that exists, found by `_id` probes from the last one this
 * process saw (one probe when nothing moved): counting a user's releases made FerretDB read every one
 * of them on every create (439 ms at 10,000 orders). Releases stored before they were numbered are
 * counted once per process and user; this version writes none (an instance of the previous version
 * would, which is why the README asks to stop those before starting this one).
 */
export class MongoPendingSlots implements PendingSlots {
  private readonly claims;
  private readonly legacy;
  private readonly releases;
  private readonly numbered;
  private readonly legacyCounts = new Recent<number, number>(USERS_KEPT);

  constructor(conn: Connection) {
    this.claims = modelOf<ClaimDoc>(conn, 'PendingClaim', claimSchema);
    this.legacy = modelOf<LegacyReleaseDoc>(conn, 'PendingRelease', legacyReleaseSchema);
    this.releases = modelOf<ReleaseDoc>(conn, 'PendingReleaseNumber', releaseSchema);
    const releases = this.releases;
    this.numbered = new UserNumbers(
      async (userId, k) => (await releases.exists({ _id: `${userId}:${k}` }).exec()) !== null,
    );
  }

  async claim(userId: number, orderNo: string, limit: number, now: Date): Promise<boolean> {
    const released = (await this.legacyCount(userId)) + (await this.numbered.last(userId));
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
    return own !== null && !(await this.isReleased(orderNo));
  }

  async release(orderNo: string, now: Date): Promise<void> {
    const claim = await this.claims.findOne({ order_no: orderNo }).lean<ClaimDoc>().exec();
    if (!claim) return;
    const userId = claim.user_id;
    // Always asked, not only when the user had old releases: an instance of the previous version
    // may still be writing them, and numbering one of those again would count it twice.
    if (await this.legacy.exists({ _id: orderNo }).exec()) return;
    await this.numbered.oneAtATime(userId, () => this.numberRelease(userId, orderNo, now));
  }

  private async numberRelease(userId: number, orderNo: string, now: Date): Promise<void> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const k = (await this.numbered.last(userId)) + 1;
      if (
        await insertOnce(this.releases, {
          _id: `${userId}:${k}`,
          user_id: userId,
          order_no: orderNo,
          at: now,
        })
      ) {
        this.numbered.note(userId, k);
        return;
      }
      // Number k was taken, by another release or by this one (a repeat, or a concurrent twin).
      if (await this.releases.exists({ order_no: orderNo }).exec()) return;
    }
    throw new Error(`releases of user ${userId} are too busy`);
  }

  async held(userId: number): Promise<{ orderNo: string; claimedAt: Date }[]> {
    const [claims, legacy, releases] = await Promise.all([
      this.claims.find({ user_id: userId }).lean<ClaimDoc[]>().exec(),
      this.legacy.find({ user_id: userId }).lean<LegacyReleaseDoc[]>().exec(),
      this.releases.find({ user_id: userId }).lean<ReleaseDoc[]>().exec(),
    ]);
    const gone = new Set([...legacy.map((r) => r._id), ...releases.map((r) => r.order_no)]);
    return claims.filter((c) => !gone.has(c.order_no)).map((c) => ({ orderNo: c.order_no, claimedAt: c.at }));
  }

  private async isReleased(orderNo: string): Promise<boolean> {
    const [numbered, legacy] = await Promise.all([
      this.releases.exists({ order_no: orderNo }).exec(),
      this.legacy.exists({ _id: orderNo }).exec(),
    ]);
    return numbered !== null || legacy !== null;
  }

  private async legacyCount(userId: number): Promise<number> {
    const known = this.legacyCounts.get(userId);
    if (known !== undefined) return known;
    return this.legacyCounts.set(userId, await this.legacy.countDocuments({ user_id: userId }).exec());
  }
}
