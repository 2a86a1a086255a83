import { type Connection, Schema } from 'mongoose';
import type { Page, Products } from '../../domain/ports';
import type { Product } from '../../domain/product';
import { isDuplicateKey, modelOf, schemaOptions } from './connection';

interface ProductDoc {
  _id: number;
  name: string;
  description: string;
  credits: number;
  price_fen: number;
  image_url: string | null;
  is_active: boolean;
  sort_order: number;
  created_at: Date;
  updated_at: Date;
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
    created_at: Date,
    updated_at: Date,
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
  createdAt: d.created_at,
  updatedAt: d.updated_at,
});

export class MongoProducts implements Products {
  private readonly model;
  constructor(conn: Connection) {
    this.model = modelOf<ProductDoc>(conn, 'Product', schema);
  }

  async listActive(page: Page): Promise<Product[]> {
    const docs = await this.model
      .find({ is_active: true })
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
    for (const p of products) {
      try {
        await this.model.create({
          _id: p.id,
          name: p.name,
          description: p.description,
          credits: p.credits,
          price_fen: p.priceFen,
          image_url: p.imageUrl,
          is_active: p.isActive,
          sort_order: p.sortOrder,
          created_at: now,
          updated_at: now,
        });
        inserted++;
      } catch (e) {
        if (!isDuplicateKey(e)) throw e;
      }
    }
    return inserted;
  }
}
