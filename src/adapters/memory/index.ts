import { MemoryLedger } from './ledger';
import { MemoryOrders } from './orders';
import { MemoryProducts } from './products';
import { MemorySettlements } from './settlements';
import { MemoryUsers } from './users';

export function memoryRepositories() {
  return {
    products: new MemoryProducts(),
    users: new MemoryUsers(),
    orders: new MemoryOrders(),
    settlements: new MemorySettlements(),
    ledger: new MemoryLedger(),
  };
}
