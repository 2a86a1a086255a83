import { Elysia, status, t } from 'elysia';
import { yuanToFen } from '../../../../domain/money';
import type { NewProduct } from '../../../../domain/product';
import { createProduct, updateProduct } from '../../../../domain/usecases/admin';
import { AdminProductBody, CreateProductRequest, UpdateProductRequest } from '../../admin-schemas';
import { authPlugin } from '../../auth';
import type { AppDeps } from '../../context';
import { type Limiter, rateLimits } from '../../limits';
import { problem } from '../../plugins';
import { ErrorBody, IdParam, PageQuery } from '../../schemas';

const ProductParams = t.Object({ product_id: IdParam });
const guarded = { 401: ErrorBody, 403: ErrorBody, 429: ErrorBody };

/** Yuan from the API → integer fen; `invalid` for more than two decimals or a zero price. */
const priceFen = (yuan: number | undefined): number | undefined | 'invalid' => {
  if (yuan === undefined) return undefined;
  const fen = yuanToFen(yuan);
  return fen === undefined || fen < 1 ? 'invalid' : fen;
};

/** Catalog writes. Orders snapshot their product, so edits and deactivation never rewrite history. */
export const adminProductRoutes = (deps: AppDeps, limits: Limiter) =>
  new Elysia({ prefix: '/api/admin/products', detail: { tags: ['管理'] } })
    .use(authPlugin(deps))
    .use(rateLimits(limits))
    .get(
      '/',
      async ({ query }) =>
        (await deps.products.listAll({ skip: query.skip ?? 0, limit: query.limit ?? 20 })).map(
          deps.present.adminProduct,
        ),
      {
        admin: true,
        limit: 'admin',
        query: PageQuery,
        detail: {
          summary: '商品列表（含已下架）',
          description: '按 sort_order、id 排序；读数据库而非目录缓存。',
        },
        response: { 200: t.Array(AdminProductBody), 400: ErrorBody, ...guarded },
      },
    )
    .post(
      '/',
      async ({ body }) => {
        const fen = priceFen(body.price);
        if (fen === 'invalid' || fen === undefined) return problem({ kind: 'invalid_price' });
        const created = await createProduct(deps)({
          name: body.name,
          description: body.description ?? '',
          credits: body.credits,
          priceFen: fen,
          imageUrl: body.image_url ?? null,
          isActive: body.is_active ?? true,
          sortOrder: body.sort_order ?? 0,
          xpayProductId: body.xpay_product_id ?? null,
        });
        return deps.present.adminProduct(created);
      },
      {
        admin: true,
        limit: 'admin',
        body: CreateProductRequest,
        detail: { summary: '创建商品', description: '价格以元传入（最多两位小数），以分存储；返回新商品。' },
        response: { 200: AdminProductBody, 400: ErrorBody, ...guarded },
      },
    )
    .patch(
      '/:product_id',
      async ({ params, body }) => {
        const fen = priceFen(body.price);
        if (fen === 'invalid') return problem({ kind: 'invalid_price' });
        const patch: { -readonly [K in keyof NewProduct]?: NewProduct[K] } = {};
        if (body.name !== undefined) patch.name = body.name;
        if (body.description !== undefined) patch.description = body.description;
        if (body.credits !== undefined) patch.credits = body.credits;
        if (fen !== undefined) patch.priceFen = fen;
        if (body.image_url !== undefined) patch.imageUrl = body.image_url;
        if (body.is_active !== undefined) patch.isActive = body.is_active;
        if (body.sort_order !== undefined) patch.sortOrder = body.sort_order;
        if (body.xpay_product_id !== undefined) patch.xpayProductId = body.xpay_product_id;
        if (Object.keys(patch).length === 0) return status(400, { detail: '请求参数错误: 至少修改一个字段' });
        const updated = await updateProduct(deps)(params.product_id, patch, body.version);
        return updated.ok ? deps.present.adminProduct(updated.value) : problem(updated.error);
      },
      {
        admin: true,
        limit: 'admin',
        params: ProductParams,
        body: UpdateProductRequest,
        detail: {
          summary: '修改商品',
          description:
            '只修改传入的字段；新价格只影响之后创建的订单。传入 version（读取时的版本）时，若已被他人修改则 409 且不做任何修改；每次修改版本加 1，并发修改不会互相覆盖。',
        },
        response: { 200: AdminProductBody, 400: ErrorBody, ...guarded, 404: ErrorBody, 409: ErrorBody },
      },
    )
    .delete(
      '/:product_id',
      async ({ params }) => {
        const updated = await updateProduct(deps)(params.product_id, { isActive: false });
        return updated.ok ? deps.present.adminProduct(updated.value) : problem(updated.error);
      },
      {
        admin: true,
        limit: 'admin',
        params: ProductParams,
        detail: {
          summary: '下架商品',
          description: '不删除数据：将 is_active 置为 false，历史订单不受影响。',
        },
        response: { 200: AdminProductBody, 400: ErrorBody, ...guarded, 404: ErrorBody },
      },
    );
