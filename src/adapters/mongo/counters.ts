import { type Connection, Schema } from 'mongoose';
import { isDuplicateKey, modelOf, schemaOptions } from './connection';

interface CounterDoc {
  _id: string;
  seq: number;
}

const counterSchema = new Schema<CounterDoc>({ _id: String, seq: Number }, schemaOptions('counters'));

/**
 * Integer ids: the counter is only a hint (FerretDB's `$inc` can hand two callers the same number);
 * the unique `_id` insert decides, and a collision simply draws again.
 */
export function idAllocator(conn: Connection, name: string) {
  const Counter = modelOf<CounterDoc>(conn, 'Counter', counterSchema);
  const next = async (): Promise<number> => {
    // Two first-ever upserts can race on the counter's own _id; the loser simply asks again.
    for (let attempt = 0; ; attempt++) {
      try {
        const doc = await Counter.findOneAndUpdate(
          { _id: name },
          { $inc: { seq: 1 } },
          { upsert: true, returnDocument: 'after' },
        )
          .lean<CounterDoc>()
          .exec();
        return doc!.seq;
      } catch (e) {
        if (!isDuplicateKey(e) || attempt >= 5) throw e;
      }
    }
  };
  return {
    next,
    /** Inserts with fresh ids until one is free; `onDuplicate` decides if the clash was something else. */
    async insert<T>(
      insertWithId: (id: number) => Promise<T>,
      onDuplicate: () => Promise<T | undefined> = async () => undefined,
    ): Promise<T> {
      for (let attempt = 0; attempt < 50; attempt++) {
        try {
          return await insertWithId(await next());
        } catch (e) {
          if (!isDuplicateKey(e)) throw e;
          const resolved = await onDuplicate();
          if (resolved !== undefined) return resolved;
        }
      }
      throw new Error(`could not allocate a ${name} id after 50 attempts`);
    },
  };
}
