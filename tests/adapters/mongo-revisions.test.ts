import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import type { Connection } from 'mongoose';
import { connectMongo, ensureIndexes, mongoRepositories } from '../../src/adapters/mongo';
import { err } from '../../src/domain/result';
import { aProduct, T0 } from '../support/builders';
import { testMongoUri, uniqueDbName } from '../support/ferret';

/** What only a real store can show: a document behind its newest revision is brought forward. */
describe('revisioned edits on Mongo (FerretDB unless TEST_MONGODB_URI)', () => {
  let conn: Connection;
  let repos: ReturnType<typeof mongoRepositories>;
  beforeAll(async () => {
    conn = await connectMongo(await testMongoUri(uniqueDbName('revisions')));
    repos = mongoRepositories(conn);
    await ensureIndexes(conn);
  });
  afterAll(() => conn.close());

  const revisions = () => conn.db!.collection<{ _id: string; [k: string]: unknown }>('revisions');
  const products = () => conn.db!.collection<{ _id: number }>('products');

  it('finishes the edit of a writer that crashed after taking its version', async () => {
    await repos.products.seed([aProduct({ id: 1 })], T0);
    const stored = await products().findOne({ _id: 1 });
    const { _id, ...state } = stored!;
    await revisions().insertOne({
      _id: 'product:1:2',
      entity: 'product',
      entity_id: 1,
      version: 2,
      state: { ...state, name: '崩溃前的修改', version: 2 },
      at: T0,
    });
    expect(await repos.products.update(1, { name: 'x' }, T0, 1)).toEqual(
      err({ kind: 'version_conflict', current: 2 }),
    );
    expect(await repos.products.findById(1)).toMatchObject({ name: '崩溃前的修改', version: 2 });
    const edited = await repos.products.update(1, { sortOrder: 9 }, T0, 2);
    expect(edited.ok && edited.value).toMatchObject({ name: '崩溃前的修改', sortOrder: 9, version: 3 });
  });

  it('repairs a slow write that landed over a newer version', async () => {
    await repos.products.seed([aProduct({ id: 2 })], T0);
    await repos.products.update(2, { name: 'v2' }, T0);
    const v2 = await products().findOne({ _id: 2 });
    await repos.products.update(2, { priceFen: 1234 }, T0);
    // The writer of version 2 was slow: its whole-document write lands now.
    await products().replaceOne({ _id: 2 }, v2!);
    const edited = await repos.products.update(2, { sortOrder: 7 }, T0);
    expect(edited.ok && edited.value).toMatchObject({ name: 'v2', priceFen: 1234, sortOrder: 7, version: 4 });
    expect(await repos.products.findById(2)).toMatchObject({ priceFen: 1234, version: 4 });
  });

  // The bring-forward write of a check is itself a slow write: it can land over a version that was
  // won and written after it read. The concurrent edits contract saw this under load.
  it('repairs a slow bring-forward write that landed after a newer edit finished', async () => {
    await repos.products.seed([aProduct({ id: 3 })], T0);
    const stored = await products().findOne({ _id: 3 });
    const { _id, ...state } = stored!;
    await revisions().insertOne({
      _id: 'product:3:2',
      entity: 'product',
      entity_id: 3,
      version: 2,
      state: { ...state, name: 'v2', version: 2 },
      at: T0,
    });
    // Hold the first document write (the stale edit's bring-forward to version 2) until released.
    const model = conn.models.Product!;
    const updateOne = model.updateOne;
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    let held = 0;
    model.updateOne = ((...args: Parameters<typeof updateOne>) =>
      held++ === 0
        ? { exec: () => released.then(() => updateOne.apply(model, args).exec()) }
        : updateOne.apply(model, args)) as typeof updateOne;
    try {
      const stale = repos.products.update(3, { name: 'x' }, T0, 1);
      while (held === 0) await Bun.sleep(1);
      const newer = await repos.products.update(3, { priceFen: 777 }, T0);
      expect(newer.ok && newer.value).toMatchObject({ name: 'v2', priceFen: 777, version: 3 });
      release();
      expect((await stale).ok).toBe(false);
    } finally {
      model.updateOne = updateOne;
    }
    expect(await repos.products.findById(3)).toMatchObject({ name: 'v2', priceFen: 777, version: 3 });
  });
});
