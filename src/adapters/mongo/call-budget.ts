import { type Connection, Schema } from 'mongoose';
import type { CallBudget } from '../../domain/ports';
import { deleteMatching, insertOnce, modelOf, schemaOptions } from './connection';

interface TokenDoc {
  _id: string;
  minute: number;
}

const schema = new Schema<TokenDoc>(
  { _id: String, minute: { type: Number, required: true, index: true } },
  schemaOptions('call_budget'),
);

/**
 * Tokens `<minute>:<n>` for n below the limit, each a unique insert, so all instances together take
 * at most `limit` per minute. Each instance remembers how far it got in the current minute, so it
 * tries at most a few taken tokens per call instead of counting up from zero.
 */
export class MongoCallBudget implements CallBudget {
  private readonly model;
  private minute = -1;
  private next = 0;
  constructor(conn: Connection) {
    this.model = modelOf<TokenDoc>(conn, 'CallToken', schema);
  }

  async take(minute: number, limit: number): Promise<boolean> {
    if (minute !== this.minute) {
      this.minute = minute;
      this.next = 0;
    }
    while (this.next < limit) {
      const n = this.next++;
      if (await insertOnce(this.model, { _id: `${minute}:${n}`, minute })) return true;
    }
    return false;
  }

  async forget(minute: number): Promise<void> {
    await deleteMatching(this.model, { minute });
  }
}
