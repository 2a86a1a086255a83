import { type Connection, type Model, Schema } from 'mongoose';
import type { Edit } from '../../domain/ports';
import { err, ok } from '../../domain/result';
import { insertOnce, modelOf, schemaOptions } from './connection';

/** Every edit's full result, under `<entity>:<id>:<version>`: the unique `_id` decides who made it. */
interface RevisionDoc {
  _id: string;
  entity: string;
  entity_id: number;
  version: number;
  state: Record<string, unknown>;
  at: Date;
}

const schema = new Schema<RevisionDoc>(
  {
    _id: String,
    entity: { type: String, required: true },
    entity_id: { type: Number, required: true },
    version: { type: Number, required: true },
    state: { type: Schema.Types.Mixed, required: true },
    at: { type: Date, required: true },
  },
  schemaOptions('revisions'),
);

interface Versioned {
  _id: number;
  /** Absent on documents stored before edits were versioned: version 1. */
  version?: number;
}

const versionOf = (d: Versioned): number => d.version ?? 1;
const ROUNDS = 20;

/**
 * Edits without lost updates on a store whose updates are read → modify → write (FerretDB): two
 * `$set`s of different fields both rewrite the whole document, so one vanished. Instead, each edit
 * first inserts its revision `<id>:<version+1>` holding the whole new state — exactly one writer
 * gets each version — and only the winner writes the document. A document can lag behind its newest
 * revision (a writer crashed, or its slow write landed over a newer one), so every edit first brings
 * it forward, and checks again after its own write.
 */
export function revisionedEdits<D extends Versioned>(conn: Connection, entity: string, model: Model<D>) {
  const Revisions = modelOf<RevisionDoc>(conn, 'Revision', schema);
  const revisionId = (id: number, version: number) => `${entity}:${id}:${version}`;
  const stateOf = (d: D): Record<string, unknown> => {
    const { _id, ...rest } = d as unknown as Record<string, unknown>;
    return rest;
  };

  /** The newest revision's state from `doc` on (`doc` itself when none is newer). */
  async function newest(id: number, doc: D): Promise<D> {
    let latest = doc;
    for (;;) {
      const next = await Revisions.findById(revisionId(id, versionOf(latest) + 1))
        .lean<RevisionDoc>()
        .exec();
      if (!next) return latest;
      latest = { ...next.state, _id: id } as unknown as D;
    }
  }

  /**
   * The document as its newest revision has it, written back if it lagged; null when absent. The
   * write-back is a slow write like any other: it can land over a version won and written after
   * this read it. So it only returns once a read shows the document lagging no more — every write
   * to the document is followed by its writer's check, and the last one leaves it current.
   */
  async function current(id: number): Promise<D | null> {
    for (let round = 0; round < ROUNDS; round++) {
      const doc = await model.findById(id).lean<D>().exec();
      if (!doc) return null;
      const latest = await newest(id, doc);
      if (latest === doc) return doc;
      await model.updateOne({ _id: id }, { $set: stateOf(latest) }).exec();
    }
    throw new Error(`${entity} ${id}: still behind its revisions after ${ROUNDS} write-backs`);
  }

  return async function edit(
    id: number,
    change: (doc: D) => Partial<D>,
    now: Date,
    expectedVersion?: number,
  ): Promise<Edit<D>> {
    for (let round = 0; round < ROUNDS; round++) {
      const doc = await current(id);
      if (!doc) return err({ kind: 'not_found' });
      const version = versionOf(doc);
      if (expectedVersion !== undefined && expectedVersion !== version)
        return err({ kind: 'version_conflict', current: version });
      const next = { ...doc, ...change(doc), version: version + 1 } as D;
      const won = await insertOnce(Revisions, {
        _id: revisionId(id, version + 1),
        entity,
        entity_id: id,
        version: version + 1,
        state: stateOf(next),
        at: now,
      });
      if (won) {
        await model.updateOne({ _id: id }, { $set: stateOf(next) }).exec();
        await current(id);
        return ok(next);
      }
      // Another edit took this version. Without an expected version ours goes on top of it.
      if (expectedVersion !== undefined) return err({ kind: 'version_conflict', current: version + 1 });
    }
    throw new Error(`${entity} ${id}: no version won after ${ROUNDS} rounds`);
  };
}
