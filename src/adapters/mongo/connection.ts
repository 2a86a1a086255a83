import mongoose, { type Connection, type Model, type Schema } from 'mongoose';

/**
 * A connection of our own (never mongoose's global): filters are sanitized so a `{"$gt": ""}` from a
 * request can never become an operator, and unknown filter keys throw instead of matching everything.
 */
export async function connectMongo(
  uri: string,
  opts: { serverSelectionTimeoutMS?: number } = {},
): Promise<Connection> {
  const conn = mongoose.createConnection(uri, {
    autoIndex: true,
    autoCreate: true,
    sanitizeFilter: true,
    serverSelectionTimeoutMS: opts.serverSelectionTimeoutMS ?? 10_000,
  });
  await conn.asPromise();
  return conn;
}

/**
 * Unknown fields throw instead of being dropped, and `minimize: false`: a document reads back as it
 * was written. Mongoose otherwise leaves out every empty object on save, so a clean audit report lost
 * its `violations: {}` and the 数据核查 page failed on it.
 */
export const schemaOptions = (collection: string) =>
  ({ collection, strict: 'throw', strictQuery: 'throw', versionKey: false, minimize: false }) as const;

/** One model per connection and name, so several adapters (and tests) can share a connection. */
export const modelOf = <T>(conn: Connection, name: string, schema: Schema<T>): Model<T> =>
  (conn.models[name] as Model<T> | undefined) ?? conn.model<T>(name, schema);

/** MongoDB and FerretDB both report a unique-index violation as code 11000. */
export const isDuplicateKey = (e: unknown): boolean =>
  typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 11000;

/**
 * The one atomic arbiter: inserts `doc`, and answers false when a unique index already holds it
 * (someone else got there first). Any other failure is thrown.
 */
export async function insertOnce<T>(model: Model<T>, doc: object): Promise<boolean> {
  try {
    await model.create(doc);
    return true;
  } catch (e) {
    if (!isDuplicateKey(e)) throw e;
    return false;
  }
}

/** Builds every model's indexes now, so the unique constraints exist before the first request. */
export async function ensureIndexes(conn: Connection): Promise<void> {
  for (const model of Object.values(conn.models)) await model.init();
}

/**
 * FerretDB deletes what a filter matched with one SQL statement binding every matched `_id`, and
 * PostgreSQL takes at most 65,535 parameters: a `deleteMany` matching more fails, every time. So
 * deletes that may match many go in batches under that bound, by `_id` order — the next batch's
 * first `_id` is not known, so each batch is "this filter and `_id` up to the batch's last" (the
 * filter is pushed down; the `_id` bound is applied to its rows). One `find` when nothing matches.
 */
export const DELETE_BATCH = 50_000;

export async function deleteMatching<T>(
  model: Model<T>,
  filter: Record<string, unknown>,
  batch = DELETE_BATCH,
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const ids = await model
      .find(filter as never, { _id: 1 })
      .sort({ _id: 1 })
      .limit(batch)
      .lean<{ _id: unknown }[]>()
      .exec();
    const last = ids.at(-1);
    if (last === undefined) return deleted;
    const res = await model
      .deleteMany({ ...filter, _id: mongoose.trusted({ $lte: last._id }) } as never)
      .exec();
    deleted += res.deletedCount;
    // Nothing deleted (an `_id` of another type than the bound's): stop rather than spin.
    if (ids.length < batch || res.deletedCount === 0) return deleted;
  }
}
