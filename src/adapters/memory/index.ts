import { MemoryLedger } from './ledger';
import { MemoryOrders } from './orders';
import { MemoryProducts } from './products';
import { MemoryRefunds } from './refunds';
import { MemorySettlements } from './settlements';
import { MemoryUsers } from './users';

export function memoryRepositories() {
  return {
    products: new MemoryProducts(),
    users: new MemoryUsers(),
    orders: new MemoryOrders(),
    settlements: new MemorySettlements(),
    refunds: new MemoryRefunds(),
    ledger: new MemoryLedger(),
  };
}
