import { Elysia, t } from 'elysia';
import { getProduct, listProducts } from '../../../domain/usecases/catalog';
import type { AppDeps } from '../context';
import { problem } from '../plugins';
import { ErrorBody, IdParam, PageQuery, ProductBody } from '../schemas';

export const productRoutes = (deps: AppDeps) =>
  new Elysia({ prefix: '/api/products', detail: { tags: ['商品'] } })
    .get(
      '/',
      async ({ query }) =>
        (
          await listProducts({ products: deps.catalog })({ skip: query.skip ?? 0, limit: query.limit ?? 20 })
        ).map(deps.present.product),
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
        return found.ok ? deps.present.product(found.value) : problem(found.error);
      },
      {
        params: t.Object({ product_id: IdParam }),
        detail: { summary: '获取商品详情' },
        response: { 200: ProductBody, 400: ErrorBody, 404: ErrorBody },
      },
    );
