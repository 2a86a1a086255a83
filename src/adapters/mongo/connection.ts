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

export const schemaOptions = (collection: string) =>
  ({ collection, strict: 'throw', strictQuery: 'throw', versionKey: false }) as const;

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
