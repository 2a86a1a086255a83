import { type Connection, Schema } from 'mongoose';
import type { Check, Checks } from '../../domain/ports';
import { deleteMatching, insertOnce, modelOf, schemaOptions } from './connection';

interface CheckDoc {
  _id: string;
  due_minute: number;
  order_no: string;
  attempt: number;
}

const checkSchema = (collection: string) =>
  new Schema<CheckDoc>(
    {
      _id: String,
      due_minute: { type: Number, required: true, index: true },
      order_no: { type: String, required: true },
      attempt: { type: Number, required: true },
    },
    schemaOptions(collection),
  );

interface ClaimDoc {
  _id: string;
  run_minute: number;
}
const claimSchema = (collection: string) =>
  new Schema<ClaimDoc>(
    { _id: String, run_minute: { type: Number, required: true, index: true } },
    schemaOptions(collection),
  );

/** Small named values: the cursor hint and one-off claims. */
interface StateDoc {
  _id: string;
  minute?: number;
  at?: Date;
}
const stateSchema = (collection: string) =>
  new Schema<StateDoc>({ _id: String, minute: Number, at: Date }, schemaOptions(collection));

/** Where one minute-bucketed queue lives: its three collections and their model names. */
export interface QueueNames {
  readonly model: string;
  readonly collections: { readonly queue: string; readonly claims: string; readonly state: string };
}

const SWEEPER: QueueNames = {
  model: 'Check',
  collections: { queue: 'checks', claims: 'check_claims', state: 'sweeper_state' },
};

const key = (c: Check) => `${c.dueMinute}:${c.orderNo}`;

/**
 * The sweeper's queue. `_id` = `<minute>:<order no>` makes a repeated schedule a no-op; `due_minute`
 * is an equality (FerretDB pushes it down; a range over the queue would be read in full). Handled
 * checks are deleted, so the collection holds only what is still to do.
 */
export class MongoChecks implements Checks {
  private readonly model;
  private readonly state;
  private readonly claims;
  /** The sweeper's queue by default; the same queue shape serves other per-order jobs (shipping uploads). */
  constructor(conn: Connection, names: QueueNames = SWEEPER) {
    const { model, collections: c } = names;
    this.model = modelOf<CheckDoc>(conn, model, checkSchema(c.queue));
    this.claims = modelOf<ClaimDoc>(conn, `${model}Claim`, claimSchema(c.claims));
    this.state = modelOf<StateDoc>(
      conn,
      model === 'Check' ? 'SweeperState' : `${model}State`,
      stateSchema(c.state),
    );
  }

  async schedule(c: Check): Promise<void> {
    await insertOnce(this.model, {
      _id: key(c),
      due_minute: c.dueMinute,
      order_no: c.orderNo,
      attempt: c.attempt,
    });
  }

  async due(minute: number, limit: number): Promise<Check[]> {
    const docs = await this.model.find({ due_minute: minute }).limit(limit).lean<CheckDoc[]>().exec();
    return docs.map((d) => ({ orderNo: d.order_no, dueMinute: d.due_minute, attempt: d.attempt }));
  }

  async claim(c: Check, runMinute: number): Promise<boolean> {
    return insertOnce(this.claims, { _id: `${runMinute}:${key(c)}`, run_minute: runMinute });
  }

  async forgetClaims(runMinute: number): Promise<void> {
    await deleteMatching(this.claims, { run_minute: runMinute });
  }

  async complete(c: Check): Promise<void> {
    await this.model.deleteOne({ _id: key(c) }).exec();
  }

  async cursor(): Promise<number | null> {
    const doc = await this.state.findById('cursor').lean<StateDoc>().exec();
    return doc?.minute ?? null;
  }

  /** A plain write: only a hint. A stale one can only move it back, which re-reads empty buckets. */
  async setCursor(minute: number): Promise<void> {
    await this.state.updateOne({ _id: 'cursor' }, { $set: { minute } }, { upsert: true }).exec();
  }

  async claimOnce(name: string): Promise<boolean> {
    return insertOnce(this.state, { _id: `claim:${name}` });
  }

  async wasClaimed(name: string): Promise<boolean> {
    return (await this.state.exists({ _id: `claim:${name}` }).exec()) !== null;
  }
}
