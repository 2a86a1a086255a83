import { type Connection, Schema } from 'mongoose';
import type { SpendTallies } from '../../domain/ports';
import { insertOnce, modelOf, schemaOptions } from './connection';
import { expiryMinute, expiryPurger } from './expiry';

interface TallyDoc {
  _id: string;
  tally: string;
  seq: number;
  key: string;
  amount: number;
  total: number;
  exp: number;
}

const schema = new Schema<TallyDoc>(
  {
    _id: String,
    tally: { type: String, required: true, index: true },
    seq: { type: Number, required: true },
    key: { type: String, required: true, unique: true },
    amount: { type: Number, required: true },
    total: { type: Number, required: true },
    exp: { type: Number, required: true, index: true },
  },
  schemaOptions('spend_tallies'),
);

/** A day's tally is needed until the day is over; two days covers every time zone. */
const KEEP_MS = 2 * 24 * 3600_000;
const ROUNDS = 100;

/**
 * Each tally (user and day) is a chain of entries `<tally>:<seq>` carrying the running total, like the
 * credit ledger: read the head, check the cap, insert seq + 1; a duplicate means another writer got
 * there first, so read again. The unique key makes each addition and each removal happen once.
 */
export class MongoSpendTallies implements SpendTallies {
  private readonly model;
  readonly purge;

  constructor(conn: Connection) {
    this.model = modelOf<TallyDoc>(conn, 'SpendTally', schema);
    this.purge = expiryPurger(conn, 'spend_tallies', this.model);
  }

  async add(userId: number, day: string, key: string, amountFen: number, capFen: number, now: Date) {
    return this.append(`${userId}:${day}`, key, amountFen, now, capFen);
  }

  async remove(_userId: number, _day: string, key: string, now: Date): Promise<void> {
    const added = await this.model.findOne({ key }).lean<TallyDoc>().exec();
    if (added) await this.append(added.tally, `-${key}`, -added.amount, now);
  }

  private async append(tally: string, key: string, amount: number, now: Date, cap = Infinity) {
    for (let round = 0; round < ROUNDS; round++) {
      if ((await this.model.exists({ key }).exec()) !== null) return true;
      const head = await this.model.findOne({ tally }).sort({ seq: -1 }).lean<TallyDoc>().exec();
      const total = head?.total ?? 0;
      if (total + amount > cap) return (await this.model.exists({ key }).exec()) !== null;
      const seq = (head?.seq ?? 0) + 1;
      const doc = { _id: `${tally}:${seq}`, tally, seq, key, amount, total: total + amount };
      if (await insertOnce(this.model, { ...doc, exp: expiryMinute(now.getTime() + KEEP_MS) })) return true;
    }
    throw new Error(`spend tally ${tally} is too busy`);
  }
}
