import type { Edit, Page, Products } from '../../domain/ports';
import type { NewProduct, Product } from '../../domain/product';
import { err, ok } from '../../domain/result';

export class MemoryProducts implements Products {
  private readonly rows = new Map<number, Product>();

  async listActive(page: Page): Promise<Product[]> {
    return this.list(page, (p) => p.isActive);
  }

  async listAll(page: Page): Promise<Product[]> {
    return this.list(page, () => true);
  }

  private list(page: Page, keep: (p: Product) => boolean): Product[] {
    return [...this.rows.values()]
      .filter(keep)
      .sort((a, b) => a.sortOrder - b.sortOrder || a.id - b.id)
      .slice(page.skip, page.skip + page.limit);
  }

  async findById(id: number): Promise<Product | null> {
    return this.rows.get(id) ?? null;
  }

  async seed(products: Parameters<Products['seed']>[0], now: Date): Promise<number> {
    let inserted = 0;
    for (const p of products) {
      if (this.rows.has(p.id)) continue;
      this.rows.set(p.id, { ...p, createdAt: now, updatedAt: now, version: 1 });
      inserted++;
    }
    return inserted;
  }

  /** Past the highest id in use, so seeded fixed ids are never reused; no await, so atomic here. */
  async create(product: NewProduct, now: Date): Promise<Product> {
    const id = Math.max(0, ...this.rows.keys()) + 1;
    const created = { ...product, id, createdAt: now, updatedAt: now, version: 1 };
    this.rows.set(id, created);
    return created;
  }

  /** No await between the version check and the set: atomic here, as the revision insert is in Mongo. */
  async update(
    id: number,
    patch: Partial<NewProduct>,
    now: Date,
    expectedVersion?: number,
  ): Promise<Edit<Product>> {
    const product = this.rows.get(id);
    if (!product) return err({ kind: 'not_found' });
    if (expectedVersion !== undefined && expectedVersion !== product.version)
      return err({ kind: 'version_conflict', current: product.version });
    // Absent and `undefined` both mean "unchanged", as in the Mongo adapter's $set.
    const given = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    const updated = { ...product, ...given, id, updatedAt: now, version: product.version + 1 };
    this.rows.set(id, updated);
    return ok(updated);
  }
}
