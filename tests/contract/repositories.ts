import type { Ledger, Orders, Products, Refunds, Settlements, Users } from '../../src/domain/ports';

/** What every storage adapter family provides; each contract suite takes a fresh, empty one. */
export interface Repositories {
  products: Products;
  users: Users;
  orders: Orders;
  settlements: Settlements;
  refunds: Refunds;
  ledger: Ledger;
}

export type MakeRepositories = () => Promise<Repositories>;
