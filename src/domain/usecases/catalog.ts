import type { DomainError } from '../errors';
import type { Page } from '../ports';
import { DEMO_PRODUCTS, type Product } from '../product';
import { err, ok, type Result } from '../result';
import type { Deps } from './deps';

export function listProducts(deps: Pick<Deps, 'products'>) {
  return (page: Page): Promise<Product[]> => deps.products.listActive(page);
}

/** Unknown and inactive products look the same to a buyer. */
export function getProduct(deps: Pick<Deps, 'products'>) {
  return async (id: number): Promise<Result<Product, DomainError>> => {
    const product = await deps.products.findById(id);
    return product?.isActive ? ok(product) : err({ kind: 'product_not_found' });
  };
}

/** Inserts each demo package whose fixed id is still free (all of them on a fresh database); fixed ids make concurrent starts insert them once. */
export function seedDemoProducts(deps: Pick<Deps, 'products' | 'clock'>) {
  return (): Promise<number> => deps.products.seed(DEMO_PRODUCTS, deps.clock.now());
}
