import { type Connection, Schema } from 'mongoose';
import { isDuplicateKey, modelOf, schemaOptions } from './connection';

interface CounterDoc {
  _id: string;
  seq: number;
}

const counterSchema = new Schema<CounterDoc>({ _id: String, seq: Number }, schemaOptions('counters'));

/** Ids reserved per counter round trip; a restart leaves at most this many unused numbers behind. */
const BLOCK = 20;

/**
 * Integer ids. The counter is only a hint: FerretDB's `$inc` is read-modify-write, so two callers can
 * be handed the same block; the unique `_id` insert decides and a collision simply draws again.
 * Ids come from a block reserved per process, behind an in-process queue, so concurrent requests do
 * not all contend on the counter document (which made create-order collapse under load).
 */
export function idAllocator(conn: Connection, name: string) {
  const Counter = modelOf<CounterDoc>(conn, 'Counter', counterSchema);
  let cursor = 0;
  let end = 0;
  let queue: Promise<unknown> = Promise.resolve();

  /** Extra ids to skip at the next reservation: grows while reservations keep colliding. */
  let jump = 0;
  const reserve = async (): Promise<void> => {
    const skip = jump;
    jump = 0;
    // Two first-ever upserts can race on the counter's own _id; the loser simply asks again.
    for (let attempt = 0; ; attempt++) {
      try {
        const doc = await Counter.findOneAndUpdate(
          { _id: name },
          { $inc: { seq: BLOCK + skip } },
          { upsert: true, returnDocument: 'after' },
        )
          .lean<CounterDoc>()
          .exec();
        end = doc!.seq + 1;
        cursor = end - BLOCK;
        return;
      } catch (e) {
        if (!isDuplicateKey(e) || attempt >= 5) throw e;
      }
    }
  };
  const next = (): Promise<number> => {
    const id = queue.then(async () => {
      if (cursor >= end) await reserve();
      return cursor++;
    });
    queue = id.catch(() => undefined);
    return id;
  };
  /** After a collision the rest of the block is probably someone else's too: draw a fresh one. */
  const discardBlock = () => {
    cursor = end;
  };
  return {
    next,
    discardBlock,
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
          discardBlock();
          // Ids taken behind the counter's back (an import, a restored backup) can fill a long run:
          // skip ahead exponentially, so a gap of n ids costs log2(n) collisions, not n / BLOCK.
          jump = BLOCK * 2 ** Math.min(attempt, 30);
        }
      }
      throw new Error(`could not allocate a ${name} id after 50 attempts`);
    },
  };
}
