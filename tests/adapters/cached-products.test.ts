import { describe, expect, it } from 'bun:test';
import { CachedProducts } from '../../src/adapters/cache/products';
import { MemoryProducts } from '../../src/adapters/memory/products';
import { FixedClock } from '../../src/adapters/system/clock';
import type { Page, Products } from '../../src/domain/ports';
import type { NewProduct, Product } from '../../src/domain/product';

const PAGE: Page = { skip: 0, limit: 20 };
const PACKAGE: NewProduct = {
  name: '100积分',
  description: '',
  credits: 100,
  priceFen: 990,
  imageUrl: null,
  isActive: true,
  sortOrder: 0,
  xpayProductId: null,
};

/**
 * The memory adapter, its catalog reads counted and their answers (taken when asked) held until
 * `release()`, which delivers the newest first: a read begun earlier can finish later.
 */
function heldReads(inner: Products) {
  let reads = 0;
  const waiting: (() => void)[] = [];
  const hold = <T>(read: () => Promise<T>): Promise<T> => {
    reads++;
    const answer = read();
    return new Promise<void>((resolve) => waiting.push(resolve)).then(() => answer);
  };
  const products: Products = Object.assign(Object.create(inner) as Products, {
    listActive: (page: Page) => hold(() => inner.listActive(page)),
    findById: (id: number) => hold(() => inner.findById(id)),
  });
  return {
    products,
    reads: () => reads,
    release: () => {
      for (const resolve of waiting.splice(0).reverse()) resolve();
    },
  };
}

async function setUp() {
  const clock = new FixedClock();
  const store = new MemoryProducts();
  const held = heldReads(store);
  const cache = new CachedProducts(held.products, clock, 5000);
  const product = await store.create(PACKAGE, clock.now());
  return { clock, store, held, cache, product };
}

describe('cached catalog', () => {
  it('requests that miss together share one read of the store', async () => {
    const { held, cache, product } = await setUp();
    const lists = Array.from({ length: 10 }, () => cache.listActive(PAGE));
    const items = Array.from({ length: 10 }, () => cache.findById(product.id));
    expect(held.reads()).toBe(2);
    held.release();
    for (const list of await Promise.all(lists)) expect(list.map((p) => p.id)).toEqual([product.id]);
    for (const item of await Promise.all(items)) expect(item?.id).toBe(product.id);
    // Fresh: answered from memory.
    await cache.listActive(PAGE);
    expect(held.reads()).toBe(2);
  });

  it('an expired entry is read again, once for all who ask', async () => {
    const { clock, held, cache } = await setUp();
    const first = cache.listActive(PAGE);
    held.release();
    await first;
    clock.advance(5000);
    const again = [cache.listActive(PAGE), cache.listActive(PAGE)];
    expect(held.reads()).toBe(2);
    held.release();
    await Promise.all(again);
  });

  it('an edit made while a read is in flight is seen by the next request, not masked by that read', async () => {
    const { clock, held, cache, product } = await setUp();
    const before = cache.listActive(PAGE);
    // The admin's edit lands while the read (begun before it) is still running.
    const edited = await cache.update(product.id, { priceFen: 1990 }, clock.now());
    expect(edited.ok).toBe(true);
    const after = cache.listActive(PAGE);
    expect(held.reads()).toBe(2);
    held.release();
    await before;
    expect((await after)[0]?.priceFen).toBe(1990);
    // And the late read was not stored: the cache holds the edited price.
    expect((await cache.listActive(PAGE))[0]?.priceFen).toBe(1990);
    expect(held.reads()).toBe(2);
  });

  it('a failed read reaches those waiting on it and is not kept', async () => {
    const { held } = await setUp();
    let fail = true;
    const flaky: Products = Object.assign(Object.create(held.products) as Products, {
      listActive: (page: Page) =>
        fail ? Promise.reject(new Error('store down')) : held.products.listActive(page),
    });
    const cacheOverFlaky = new CachedProducts(flaky, new FixedClock(), 5000);
    const failed = await Promise.allSettled([
      cacheOverFlaky.listActive(PAGE),
      cacheOverFlaky.listActive(PAGE),
    ]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    const next = cacheOverFlaky.listActive(PAGE);
    held.release();
    expect((await next).map((p: Product) => p.priceFen)).toEqual([990]);
  });
});
