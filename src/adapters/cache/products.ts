import type { Clock, Edit, Page, Products } from '../../domain/ports';
import type { NewProduct, Product } from '../../domain/product';

interface Entry<T> {
  readonly at: number;
  readonly value: T;
}

/**
 * The catalog is read on every page view and changes rarely, so list and detail reads are kept for
 * a few seconds per instance. Only the public catalog routes use it: pricing an order reads the
 * uncached adapter, so a price change or deactivation applies to the very next order.
 *
 * Requests that miss together share one read: when an entry expires under load, every request in
 * flight would otherwise send the same query at once (64 of them under the benchmark's wrk run).
 * A write starts a new generation: a read that began before it is neither stored nor shared with a
 * request that arrives after it, so an admin's edit is never masked by an older read finishing late.
 */
export class CachedProducts implements Products {
  private readonly lists = new Map<string, Entry<Product[]>>();
  private readonly items = new Map<number, Entry<Product | null>>();
  private readonly loading = new Map<string, Promise<unknown>>();
  private generation = 0;

  constructor(
    private readonly inner: Products,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  listActive(page: Page): Promise<Product[]> {
    // Bounded: skip/limit come from clients, so never let them grow the map without limit.
    const key = `${page.skip}:${page.limit}`;
    return this.cached(this.lists, key, `list:${key}`, 256, () => this.inner.listActive(page));
  }

  /** Admin reads go straight through: an admin must see their own edit at once. */
  listAll(page: Page): Promise<Product[]> {
    return this.inner.listAll(page);
  }

  findById(id: number): Promise<Product | null> {
    return this.cached(this.items, id, `item:${id}`, 1024, () => this.inner.findById(id));
  }

  async seed(products: Parameters<Products['seed']>[0], now: Date): Promise<number> {
    const inserted = await this.inner.seed(products, now);
    this.clear();
    return inserted;
  }

  /** Writes clear this instance's cache; other instances catch up within the TTL. */
  async create(product: NewProduct, now: Date): Promise<Product> {
    const created = await this.inner.create(product, now);
    this.clear();
    return created;
  }

  async update(
    id: number,
    patch: Partial<NewProduct>,
    now: Date,
    expectedVersion?: number,
  ): Promise<Edit<Product>> {
    const updated = await this.inner.update(id, patch, now, expectedVersion);
    this.clear();
    return updated;
  }

  private async cached<K, T>(
    entries: Map<K, Entry<T>>,
    key: K,
    flight: string,
    bound: number,
    read: () => Promise<T>,
  ): Promise<T> {
    const hit = entries.get(key);
    if (hit && this.clock.now().getTime() - hit.at < this.ttlMs) return hit.value;
    const shared = this.loading.get(flight) as Promise<T> | undefined;
    if (shared) return shared;
    const generation = this.generation;
    const load = read().then(
      (value) => {
        if (generation === this.generation) {
          if (entries.size > bound) entries.clear();
          entries.set(key, { at: this.clock.now().getTime(), value });
          this.loading.delete(flight);
        }
        return value;
      },
      (error: unknown) => {
        // A failed read is not shared beyond the requests already waiting on it.
        if (generation === this.generation) this.loading.delete(flight);
        throw error;
      },
    );
    this.loading.set(flight, load);
    return load;
  }

  private clear(): void {
    this.generation++;
    this.lists.clear();
    this.items.clear();
    this.loading.clear();
  }
}
