import type { Connection } from 'mongoose';
import { MongoLedger } from './ledger';
import { MongoOrders } from './orders';
import { MongoProducts } from './products';
import { MongoRefunds } from './refunds';
import { MongoSettlements } from './settlements';
import { MongoUsers } from './users';

export { connectMongo, ensureIndexes } from './connection';

export function mongoRepositories(conn: Connection) {
  return {
    products: new MongoProducts(conn),
    users: new MongoUsers(conn),
    orders: new MongoOrders(conn),
    settlements: new MongoSettlements(conn),
    refunds: new MongoRefunds(conn),
    ledger: new MongoLedger(conn),
  };
}
