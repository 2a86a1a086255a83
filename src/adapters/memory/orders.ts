import type { NewOrder, Order, OrderStatus } from '../../domain/order';
import type { OrderFilter, OrderProjection, Orders, Page } from '../../domain/ports';
import { newestFirstBy } from '../../domain/time';

export class MemoryOrders implements Orders {
  private readonly rows = new Map<number, Order>();

  async create(order: NewOrder): Promise<Order> {
    if ([...this.rows.values()].some((o) => o.orderNo === order.orderNo)) {
      throw new Error(`duplicate order_no ${order.orderNo}`);
    }
    const created = { ...order, id: this.rows.size + 1 };
    this.rows.set(created.id, created);
    return created;
  }

  async findById(id: number): Promise<Order | null> {
    return this.rows.get(id) ?? null;
  }

  async findByOrderNo(orderNo: string): Promise<Order | null> {
    return [...this.rows.values()].find((o) => o.orderNo === orderNo) ?? null;
  }

  listByUser(userId: number, page: Page): Promise<Order[]> {
    return this.search({ userId }, page);
  }

  async *scan(filter: { readonly status?: OrderStatus } = {}): AsyncIterable<Order> {
    for (const o of [...this.rows.values()])
      if (filter.status === undefined || o.status === filter.status) yield o;
  }

  async project(id: number, from: readonly OrderStatus[], projection: OrderProjection): Promise<void> {
    const order = this.rows.get(id);
    if (order && from.includes(order.status)) this.rows.set(id, { ...order, ...projection });
  }

  async *streamSearch(f: OrderFilter): AsyncIterable<Order> {
    yield* await this.search(f, { skip: 0, limit: Number.POSITIVE_INFINITY });
  }

  async search(f: OrderFilter, page: Page): Promise<Order[]> {
    return [...this.rows.values()]
      .filter(
        (o) =>
          (f.status === undefined || o.status === f.status) &&
          (f.userId === undefined || o.userId === f.userId) &&
          (f.orderNo === undefined || o.orderNo === f.orderNo) &&
          (f.amountFen === undefined || o.amountFen === f.amountFen) &&
          (f.createdFrom === undefined || o.createdAt >= f.createdFrom) &&
          (f.createdTo === undefined || o.createdAt < f.createdTo),
      )
      .sort(
        newestFirstBy(
          (o) => o.createdAt,
          (o) => o.id,
        ),
      )
      .slice(page.skip, page.skip + page.limit);
  }
}
