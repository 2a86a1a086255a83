import type { Ledger, Orders, Products, Settlements, Users } from '../../src/domain/ports';

/** What every storage adapter family provides; each contract suite takes a fresh, empty one. */
export interface Repositories {
  products: Products;
  users: Users;
  orders: Orders;
  settlements: Settlements;
  ledger: Ledger;
}

export type MakeRepositories = () => Promise<Repositories>;
