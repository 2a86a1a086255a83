import type { Clock, Edit, Page, Products } from '../../domain/ports';
import type { NewProduct, Product } from '../../domain/product';

/**
 * The catalog is read on every page view and changes rarely, so list and detail reads are kept for
 * a few seconds per instance. Only the public catalog routes use it: pricing an order reads the
 * uncached adapter, so a price change or deactivation applies to the very next order.
 */
export class CachedProducts implements Products {
  private readonly lists = new Map<string, { at: number; value: Product[] }>();
  private readonly items = new Map<number, { at: number; value: Product | null }>();

  constructor(
    private readonly inner: Products,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  async listActive(page: Page): Promise<Product[]> {
    const key = `${page.skip}:${page.limit}`;
    const hit = this.lists.get(key);
    if (hit && this.fresh(hit.at)) return hit.value;
    const value = await this.inner.listActive(page);
    // Bounded: skip/limit come from clients, so never let them grow the map without limit.
    if (this.lists.size > 256) this.lists.clear();
    this.lists.set(key, { at: this.clock.now().getTime(), value });
    return value;
  }

  /** Admin reads go straight through: an admin must see their own edit at once. */
  listAll(page: Page): Promise<Product[]> {
    return this.inner.listAll(page);
  }

  async findById(id: number): Promise<Product | null> {
    const hit = this.items.get(id);
    if (hit && this.fresh(hit.at)) return hit.value;
    const value = await this.inner.findById(id);
    if (this.items.size > 1024) this.items.clear();
    this.items.set(id, { at: this.clock.now().getTime(), value });
    return value;
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

  private clear(): void {
    this.lists.clear();
    this.items.clear();
  }

  private fresh(at: number): boolean {
    return this.clock.now().getTime() - at < this.ttlMs;
  }
}
