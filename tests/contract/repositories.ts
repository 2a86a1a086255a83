import type {
  Ledger,
  Orders,
  Products,
  Refunds,
  Settlements,
  StatusChanges,
  Users,
} from '../../src/domain/ports';

/** What every storage adapter family provides; each contract suite takes a fresh, empty one. */
export interface Repositories {
  products: Products;
  users: Users;
  orders: Orders;
  statusChanges: StatusChanges;
  settlements: Settlements;
  refunds: Refunds;
  ledger: Ledger;
}

export type MakeRepositories = () => Promise<Repositories>;
