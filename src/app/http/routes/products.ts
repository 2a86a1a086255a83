import { Elysia, t } from 'elysia';
import { getProduct, listProducts } from '../../../domain/usecases/catalog';
import type { AppDeps } from '../context';
import { problem } from '../plugins';
import { ErrorBody, IdParam, PageQuery, ProductBody } from '../schemas';

/**
 * The catalog is the most requested page and the cache hands out the same objects while they are
 * fresh, so each one is presented and serialised once and its JSON reused: a cached request then
 * costs little more than the framework itself. A new object (refresh, edit) is rendered anew.
 */
function renderedJson() {
  const rendered = new WeakMap<object, string>();
  return (value: object, present: () => unknown): Response => {
    let body = rendered.get(value);
    if (body === undefined) {
      body = JSON.stringify(present());
      rendered.set(value, body);
    }
    return new Response(body, { headers: { 'content-type': 'application/json' } });
  };
}

export const productRoutes = (deps: AppDeps) => {
  const json = renderedJson();
  return new Elysia({ prefix: '/api/products', detail: { tags: ['商品'] } })
    .get(
      '/',
      async ({ query }) => {
        const page = { skip: query.skip ?? 0, limit: query.limit ?? 20 };
        const products = await listProducts({ products: deps.catalog })(page);
        return json(products, () => products.map(deps.present.product)) as never;
      },
      {
        query: PageQuery,
        detail: { summary: '获取商品列表', description: '仅返回上架商品，按 sort_order、id 排序。' },
        response: { 200: t.Array(ProductBody), 400: ErrorBody },
      },
    )
    .get(
      '/:product_id',
      async ({ params }) => {
        const found = await getProduct({ products: deps.catalog })(params.product_id);
        if (!found.ok) return problem(found.error);
        const product = found.value;
        return json(product, () => deps.present.product(product)) as never;
      },
      {
        params: t.Object({ product_id: IdParam }),
        detail: { summary: '获取商品详情' },
        response: { 200: ProductBody, 400: ErrorBody, 404: ErrorBody },
      },
    );
};
