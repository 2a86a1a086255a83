import { Elysia, status, t } from 'elysia';
import type { Page } from '../../../domain/ports';
import { getProduct, listProducts } from '../../../domain/usecases/catalog';
import type { AppDeps } from '../context';
import { JSON_TYPE } from '../headers';
import { problem } from '../plugins';
import { ErrorBody, IdParam, PageQuery, ProductBody } from '../schemas';

/**
 * The catalog is the most requested page and the cache hands out the same objects while they are
 * fresh, so each one is presented and serialised once and its JSON reused: a cached request then
 * costs little more than the framework itself. A new object (refresh, edit) is rendered anew.
 * The response takes `set.headers` over as they are (request id, security headers) and leaves an
 * empty object in their place: with `set.headers` empty Elysia passes our Response through instead of
 * copying it into a second one.
 */
function renderedJson() {
  // Kept as UTF-8 bytes: a string body (Chinese text is two-byte in JS) is encoded anew per response.
  const rendered = new WeakMap<object, Uint8Array>();
  const encoder = new TextEncoder();
  return (value: object, present: () => unknown, set: { headers: Record<string, unknown> }): Response => {
    let body = rendered.get(value);
    if (body === undefined) {
      body = encoder.encode(JSON.stringify(present()));
      rendered.set(value, body);
    }
    const headers = set.headers as Record<string, string>;
    headers['content-type'] = JSON_TYPE;
    set.headers = {};
    return new Response(body, { headers });
  };
}

/**
 * skip/limit by hand, with PageQuery's rules: a declared query schema makes Elysia decode and
 * default-fill the query with TypeBox on every request, a tenth of a cached catalog request.
 */
const PAGE_PATTERNS = {
  skip: new RegExp(PageQuery.properties.skip.pattern as string),
  limit: new RegExp(PageQuery.properties.limit.pattern as string),
};

function pageOf(query: Record<string, string | undefined>): Page | string {
  const read = (name: 'skip' | 'limit', fallback: number): number | string => {
    const raw = query[name];
    if (raw === undefined) return fallback;
    return PAGE_PATTERNS[name].test(raw) ? Number(raw) : `请求参数错误: ${name} 格式不正确或超出范围`;
  };
  const skip = read('skip', 0);
  const limit = read('limit', 20);
  if (typeof skip === 'string') return skip;
  if (typeof limit === 'string') return limit;
  return { skip, limit };
}

/** The query parameters PageQuery describes, for the docs (validation is `pageOf`). */
const pageParameters = Object.entries(PageQuery.properties).map(([name, schema]) => ({
  name,
  in: 'query',
  required: false,
  schema,
}));

export const productRoutes = (deps: AppDeps) => {
  const json = renderedJson();
  return new Elysia({ prefix: '/api/products', detail: { tags: ['商品'] } })
    .get(
      '/',
      async ({ query, set }) => {
        const page = pageOf(query);
        if (typeof page === 'string') return status(400, { detail: page }) as never;
        const products = await listProducts({ products: deps.catalog })(page);
        return json(products, () => products.map(deps.present.product), set) as never;
      },
      {
        detail: {
          summary: '获取商品列表',
          description: '仅返回上架商品，按 sort_order、id 排序。',
          parameters: pageParameters as never,
        },
        response: { 200: t.Array(ProductBody), 400: ErrorBody },
      },
    )
    .get(
      '/:product_id',
      async ({ params, set }) => {
        const found = await getProduct({ products: deps.catalog })(params.product_id);
        if (!found.ok) return problem(found.error);
        const product = found.value;
        return json(product, () => deps.present.product(product), set) as never;
      },
      {
        params: t.Object({ product_id: IdParam }),
        detail: { summary: '获取商品详情' },
        response: { 200: ProductBody, 400: ErrorBody, 404: ErrorBody },
      },
    );
};
