import type { Products } from '../../domain/ports';
import type { Product } from '../../domain/product';

export class MemoryProducts implements Products {
  private readonly rows = new Map<number, Product>();

  async listActive(page: { skip: number; limit: number }): Promise<Product[]> {
    return [...this.rows.values()]
      .filter((p) => p.isActive)
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
      this.rows.set(p.id, { ...p, createdAt: now, updatedAt: now });
      inserted++;
    }
    return inserted;
  }
}
