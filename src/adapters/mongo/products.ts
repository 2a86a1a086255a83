import { type Connection, Schema } from 'mongoose';
import type { Edit, Page, Products } from '../../domain/ports';
import type { NewProduct, Product } from '../../domain/product';
import { ok } from '../../domain/result';
import { insertOnce, modelOf, schemaOptions } from './connection';
import { idAllocator } from './counters';
import { revisionedEdits } from './revisions';

interface ProductDoc {
  _id: number;
  name: string;
  description: string;
  credits: number;
  price_fen: number;
  image_url: string | null;
  is_active: boolean;
  sort_order: number;
  /** Absent on products stored before xpay: not sold through xpay. */
  xpay_product_id?: string | null;
  created_at: Date;
  updated_at: Date;
  version?: number;
}

const schema = new Schema<ProductDoc>(
  {
    _id: Number,
    name: { type: String, required: true },
    description: { type: String, default: '' },
    credits: { type: Number, required: true },
    price_fen: { type: Number, required: true },
    image_url: { type: String, default: null },
    is_active: { type: Boolean, default: true },
    sort_order: { type: Number, default: 0 },
    xpay_product_id: { type: String, default: null },
    created_at: Date,
    updated_at: Date,
    version: { type: Number, default: 1 },
  },
  schemaOptions('products'),
);
schema.index({ is_active: 1, sort_order: 1, _id: 1 });

const toDomain = (d: ProductDoc): Product => ({
  id: d._id,
  name: d.name,
  description: d.description,
  credits: d.credits,
  priceFen: d.price_fen,
  imageUrl: d.image_url,
  isActive: d.is_active,
  sortOrder: d.sort_order,
  xpayProductId: d.xpay_product_id ?? null,
  createdAt: d.created_at,
  updatedAt: d.updated_at,
  version: d.version ?? 1,
});

const toDocument = (p: NewProduct, id: number, now: Date): ProductDoc => ({
  _id: id,
  name: p.name,
  description: p.description,
  credits: p.credits,
  price_fen: p.priceFen,
  image_url: p.imageUrl,
  is_active: p.isActive,
  sort_order: p.sortOrder,
  xpay_product_id: p.xpayProductId ?? null,
  created_at: now,
  updated_at: now,
  version: 1,
});

export class MongoProducts implements Products {
  private readonly model;
  private readonly ids;
  private readonly edit;
  constructor(conn: Connection) {
    this.model = modelOf<ProductDoc>(conn, 'Product', schema);
    this.ids = idAllocator(conn, 'products');
    this.edit = revisionedEdits(conn, 'product', this.model);
  }

  listActive(page: Page): Promise<Product[]> {
    return this.list({ is_active: true }, page);
  }

  listAll(page: Page): Promise<Product[]> {
    return this.list({}, page);
  }

  private async list(filter: Partial<ProductDoc>, page: Page): Promise<Product[]> {
    const docs = await this.model
      .find(filter)
      .sort({ sort_order: 1, _id: 1 })
      .skip(page.skip)
      .limit(page.limit)
      .lean<ProductDoc[]>()
      .exec();
    return docs.map(toDomain);
  }

  async findById(id: number): Promise<Product | null> {
    const doc = await this.model.findById(id).lean<ProductDoc>().exec();
    return doc ? toDomain(doc) : null;
  }

  async seed(products: Parameters<Products['seed']>[0], now: Date): Promise<number> {
    let inserted = 0;
    for (const p of products) if (await insertOnce(this.model, toDocument(p, p.id, now))) inserted++;
    return inserted;
  }

  /** The counter starts below the seeded ids; the unique `_id` makes a clash simply draw again. */
  async create(product: NewProduct, now: Date): Promise<Product> {
    return this.ids.insert(async (id) => {
      const doc = toDocument(product, id, now);
      await this.model.create(doc);
      return toDomain(doc);
    });
  }

  async update(
    id: number,
    patch: Partial<NewProduct>,
    now: Date,
    expectedVersion?: number,
  ): Promise<Edit<Product>> {
    const set: Partial<ProductDoc> = { updated_at: now };
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.description !== undefined) set.description = patch.description;
    if (patch.credits !== undefined) set.credits = patch.credits;
    if (patch.priceFen !== undefined) set.price_fen = patch.priceFen;
    if (patch.imageUrl !== undefined) set.image_url = patch.imageUrl;
    if (patch.isActive !== undefined) set.is_active = patch.isActive;
    if (patch.sortOrder !== undefined) set.sort_order = patch.sortOrder;
    if (patch.xpayProductId !== undefined) set.xpay_product_id = patch.xpayProductId;
    const edited = await this.edit(id, () => set, now, expectedVersion);
    return edited.ok ? ok(toDomain(edited.value)) : edited;
  }
}
