import { canDo } from '../../../domain/operators/operator';
import type { Product } from '../../../domain/product';
import { createProduct, updateProduct } from '../../../domain/usecases/admin';
import type { AppDeps } from '../../http/context';
import { httpError } from '../../http/errors';
import { audit, consolePage, requireRole } from '../auth';
import { formFields } from '../form';
import { html, type SafeHtml } from '../html';
import { csrfField } from '../layout';
import { pageOf, pager } from '../pager';
import {
  changes,
  checkProduct,
  EMPTY_FIELDS,
  fieldsOf,
  type ProductFields,
  readFields,
} from '../product-form';
import { emptyRow, keep, LIST_SIZE, positiveInt, when, yuan } from '../view';

/** What the mini-program's catalog shows for a product: name, credits, ¥price (and the description). */
export const catalogPreview = (p: { name: string; description: string; credits: number; priceFen: number }) =>
  html`<div class="preview" data-testid="preview"><div class="preview-title">小程序展示预览</div>
<div class="preview-card"><strong>${p.name}</strong><span class="preview-credits">${p.credits} 积分</span>
<span class="preview-price">${yuan(p.priceFen)}</span><small>${p.description}</small></div></div>`;

function productForm(
  action: string,
  f: ProductFields,
  csrf: string,
  o: { editable: boolean; version?: number; isNew: boolean },
): SafeHtml {
  const dis = o.editable ? '' : html` disabled`;
  return html`<form method="post" action="${action}" class="form" data-testid="product-form">${csrfField(csrf)}
${o.version !== undefined ? html`<input type="hidden" name="version" value="${o.version}">` : ''}
<label>名称 <input name="name" value="${f.name}" maxlength="100" required${dis}></label>
<label>描述 <input name="description" value="${f.description}" maxlength="500"${dis}></label>
<label>积分 <input name="credits" value="${f.credits}" inputmode="numeric" required${dis}></label>
<label>价格（元，最多两位小数） <input name="price" value="${f.price}" inputmode="decimal" required${dis}></label>
<label>图片地址 <input name="image_url" value="${f.image_url}" maxlength="500"${dis}></label>
<label>排序 <input name="sort_order" value="${f.sort_order}" inputmode="numeric"${dis}></label>
<label>虚拟支付道具 ID（xpay productId，可空） <input name="xpay_product_id" value="${f.xpay_product_id}" maxlength="64"${dis}></label>
${o.isNew ? '' : html`<label>原因（修改价格时必填） <input name="reason" value="${f.reason}" maxlength="200"${dis}></label>`}
${o.editable ? html`<div class="actions"><button type="submit" name="_preview" value="1" class="secondary">预览</button> <button type="submit">${o.isNew ? '创建' : '保存'}</button></div>` : html`<p class="muted">只有管理员可以修改商品。</p>`}
</form>`;
}

const list = (items: Product[], tz: string, canEdit: boolean) =>
  html`<table class="grid" data-testid="products"><thead><tr><th>ID</th><th>名称</th><th>积分</th><th>价格</th><th>状态</th><th>排序</th><th>更新时间</th><th></th></tr></thead><tbody>
${items.length === 0 ? emptyRow(8) : items.map((p) => html`<tr data-product-id="${p.id}"><td>${p.id}</td><td>${p.name}</td><td>${p.credits}</td><td>${yuan(p.priceFen)}</td><td>${p.isActive ? html`<span class="badge ok">上架</span>` : html`<span class="badge muted">已下架</span>`}</td><td>${p.sortOrder}</td><td>${when(p.updatedAt, tz)}</td><td><a href="/admin/products/${p.id}">${canEdit ? '编辑' : '查看'}</a></td></tr>`)}
</tbody></table>`;

/** 商品: every product (inactive too), create, edit with a catalog preview, deactivate; changes are admin only. */
export const productsPage = (deps: AppDeps) => {
  const tz = deps.settings.timeZone;
  const create = createProduct(deps);
  const update = updateProduct(deps);
  return consolePage(deps)
    .get(
      '/products',
      async ({ query, render, operator }) => {
        const { n: page, skip, limit } = pageOf(query.page, LIST_SIZE);
        const rows = await deps.products.listAll({ skip, limit });
        const canEdit = canDo(operator.role, 'edit_product');
        return render({
          title: '商品',
          active: 'products',
          body: html`${canEdit ? html`<p><a class="button" href="/admin/products/new">新建商品</a></p>` : ''}
${list(rows.slice(0, limit - 1), tz, canEdit)}${pager('/admin/products', page, rows.length === limit, keep(query))}`,
        });
      },
      { detail: { hide: true } },
    )
    .get(
      '/products/new',
      ({ render, csrf }) =>
        render({
          title: '新建商品',
          active: 'products',
          body: productForm('/admin/products', EMPTY_FIELDS, csrf, { editable: true, isNew: true }),
        }),
      { beforeHandle: requireRole('admin'), detail: { hide: true } },
    )
    .post(
      '/products',
      async (ctx) => {
        const f = readFields(formFields(ctx.body));
        const checked = checkProduct(f);
        const again = (errors: string[], preview?: SafeHtml) =>
          ctx.render(
            {
              title: '新建商品',
              active: 'products',
              flash: errors.length ? { kind: 'error', text: errors.join('；') } : null,
              body: html`${preview ?? ''}${productForm('/admin/products', f, ctx.csrf, { editable: true, isNew: true })}`,
            },
            errors.length ? 400 : 200,
          );
        if (!checked.ok) return again(checked.errors);
        if (formFields(ctx.body)._preview) return again([], catalogPreview(checked.product));
        const product = await create({ ...checked.product, isActive: true });
        await audit(ctx, {
          action: 'product.create',
          target: { kind: 'product', id: String(product.id) },
          after: { ...checked.product, isActive: true },
        });
        return ctx.done(`/admin/products/${product.id}`, `已创建商品 ${product.name}`);
      },
      { beforeHandle: requireRole('admin'), detail: { hide: true } },
    )
    .get(
      '/products/:id',
      async ({ params, render, csrf, operator }) => {
        const id = positiveInt(params.id);
        const product = id ? await deps.products.findById(id) : null;
        if (!product)
          return render(
            {
              title: '商品不存在',
              active: 'products',
              body: html`<p><a href="/admin/products">返回商品列表</a></p>`,
            },
            404,
          );
        const editable = canDo(operator.role, 'edit_product');
        return render({
          title: `商品 #${product.id}`,
          active: 'products',
          body: productPage(product, fieldsOf(product), csrf, editable, tz),
        });
      },
      { detail: { hide: true } },
    )
    .post(
      '/products/:id',
      async (ctx) => {
        const id = positiveInt(ctx.params.id);
        const product = id ? await deps.products.findById(id) : null;
        if (!product) return ctx.render({ title: '商品不存在', active: 'products', body: html`` }, 404);
        const raw = formFields(ctx.body);
        const f = readFields(raw);
        const checked = checkProduct(f);
        const again = (errors: string[], status = 400, preview = false) =>
          ctx.render(
            {
              title: `商品 #${product.id}`,
              active: 'products',
              flash: errors.length ? { kind: 'error', text: errors.join('；') } : null,
              body: productPage(
                product,
                f,
                ctx.csrf,
                true,
                tz,
                preview && checked.ok ? checked.product : undefined,
              ),
            },
            errors.length ? status : 200,
          );
        // The form was filled from another version: what it would change is unknown (it would undo the
        // other edit), so nothing is saved and the page shows the current values to edit again.
        const version = positiveInt(raw.version);
        if (version !== null && version !== product.version)
          return ctx.render(
            {
              title: `商品 #${product.id}`,
              active: 'products',
              flash: {
                kind: 'error',
                text: `数据已被他人修改（当前版本 ${product.version}），未保存；下面已是最新内容，请重新修改后保存`,
              },
              body: productPage(product, fieldsOf(product), ctx.csrf, true, tz),
            },
            409,
          );
        if (!checked.ok) return again(checked.errors);
        if (raw._preview) return again([], 200, true);
        const diff = changes(product, checked.product);
        if (diff.after.priceFen !== undefined && !f.reason) return again(['修改价格必须填写原因']);
        if (Object.keys(diff.after).length === 0)
          return ctx.done(`/admin/products/${product.id}`, '没有改动');
        const updated = await update(product.id, diff.after, version ?? undefined);
        if (!updated.ok) return again([httpError(updated.error).detail], httpError(updated.error).status);
        await audit(ctx, {
          action: diff.after.priceFen !== undefined ? 'product.price' : 'product.update',
          target: { kind: 'product', id: String(product.id) },
          before: diff.before,
          after: diff.after,
          reason: f.reason || null,
        });
        return ctx.done(`/admin/products/${product.id}`, `已保存（版本 ${updated.value.version}）`);
      },
      { beforeHandle: requireRole('admin'), detail: { hide: true } },
    )
    .post(
      '/products/:id/active',
      async (ctx) => {
        const id = positiveInt(ctx.params.id);
        const product = id ? await deps.products.findById(id) : null;
        if (!product) return ctx.render({ title: '商品不存在', active: 'products', body: html`` }, 404);
        const f = formFields(ctx.body);
        const isActive = f.active === '1';
        if (product.isActive === isActive) return ctx.done(`/admin/products/${product.id}`, '状态未变');
        const updated = await update(product.id, { isActive });
        if (!updated.ok)
          return ctx.done(`/admin/products/${product.id}`, {
            kind: 'error',
            text: httpError(updated.error).detail,
          });
        await audit(ctx, {
          action: isActive ? 'product.activate' : 'product.deactivate',
          target: { kind: 'product', id: String(product.id) },
          before: { isActive: product.isActive },
          after: { isActive },
          reason: (f.reason ?? '').trim() || null,
        });
        return ctx.done(`/admin/products/${product.id}`, isActive ? '已上架' : '已下架');
      },
      { beforeHandle: requireRole('admin'), detail: { hide: true } },
    );
};

function productPage(
  product: Product,
  f: ProductFields,
  csrf: string,
  editable: boolean,
  tz: string,
  preview?: { name: string; description: string; credits: number; priceFen: number },
): SafeHtml {
  return html`<p>状态：${product.isActive ? '上架' : '已下架'} · 版本 ${product.version} · 更新于 ${when(product.updatedAt, tz)}</p>
<div class="split">
<div>${productForm(`/admin/products/${product.id}`, f, csrf, { editable, version: product.version, isNew: false })}</div>
<div>${catalogPreview(preview ?? product)}
${preview ? html`<p class="muted">以上为未保存的预览；点击「保存」后生效。</p>` : ''}
${
  editable
    ? html`<form method="post" action="/admin/products/${product.id}/active" class="form">${csrfField(csrf)}
<input type="hidden" name="active" value="${product.isActive ? '0' : '1'}">
<label>原因（可选） <input name="reason" maxlength="200"></label>
${product.isActive ? html`<p class="muted">下架后不能再下新单；已下单未支付的订单在支付截止前仍可支付，积分照常发放。</p>` : ''}
<button type="submit" class="${product.isActive ? 'danger' : ''}">${product.isActive ? '下架' : '重新上架'}</button></form>`
    : ''
}
</div></div>`;
}
