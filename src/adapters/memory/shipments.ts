import type { Shipments } from '../../domain/ports';
import type { ShippingRecord } from '../../domain/shipping';

export class MemoryShipments implements Shipments {
  private readonly rows = new Map<number, ShippingRecord>();

  async record(r: ShippingRecord) {
    const existing = this.rows.get(r.orderId);
    if (existing) return { record: existing, created: false };
    this.rows.set(r.orderId, r);
    return { record: r, created: true };
  }

  async find(orderId: number): Promise<ShippingRecord | null> {
    return this.rows.get(orderId) ?? null;
  }
}
