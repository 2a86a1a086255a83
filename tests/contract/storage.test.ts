import { afterAll, describe } from 'bun:test';
import { CachedProducts } from '../../src/adapters/cache/products';
import { memoryRepositories } from '../../src/adapters/memory';
import {
  MemoryOnceKeys,
  MemoryPendingSlots,
  MemoryRateWindows,
  MemorySpendTallies,
} from '../../src/adapters/memory/limits';
import { MemorySessionKeys } from '../../src/adapters/memory/session-keys';
import { mongoRepositories } from '../../src/adapters/mongo';
import { MongoSessionKeys } from '../../src/adapters/mongo/session-keys';
import { FixedClock } from '../../src/adapters/system/clock';
import { recycledDatabase } from '../support/recycled-db';
import { accessTokenStoreContract } from './access-tokens.contract';
import { alertOutboxContract } from './alert-outbox.contract';
import { auditReportsContract } from './audit-reports.contract';
import { figuresContract } from './figures.contract';
import { ledgerContract } from './ledger.contract';
import { type LimitStores, limitContracts } from './limits.contract';
import { operatorsContract } from './operators.contract';
import { ordersContract } from './orders.contract';
import { paymentEventsContract } from './payment-events.contract';
import { productsContract } from './products.contract';
import { refundsContract } from './refunds.contract';
import type { MakeRepositories } from './repositories';
import { sessionKeysContract } from './session-keys.contract';
import { settlementsContract } from './settlements.contract';
import { statementReportsContract } from './statement-reports.contract';
import { statusChangesContract } from './status-changes.contract';
import { sweeperStoreContract } from './sweeper-store.contract';
import { usersContract } from './users.contract';

const suites = [
  productsContract,
  usersContract,
  ordersContract,
  statusChangesContract,
  settlementsContract,
  refundsContract,
  ledgerContract,
  sweeperStoreContract,
  statementReportsContract,
  auditReportsContract,
  figuresContract,
  operatorsContract,
  accessTokenStoreContract,
  alertOutboxContract,
  paymentEventsContract,
];

function runAll(make: MakeRepositories) {
  for (const suite of suites) suite(make);
}

describe('memory adapters', () => {
  runAll(async () => memoryRepositories());
  // Two instances over one store, as two processes over one database.
  for (const suite of limitContracts)
    suite(async () => {
      const windows = new Map();
      const shared = {
        onceKeys: new MemoryOnceKeys(),
        pendingSlots: new MemoryPendingSlots(),
        spendTallies: new MemorySpendTallies(),
      };
      const instance = (): LimitStores => ({ ...shared, rateWindows: new MemoryRateWindows(windows) });
      return { a: instance(), b: instance(), fresh: instance };
    });
  sessionKeysContract(async () => {
    const one = new MemorySessionKeys();
    return { a: one, b: one };
  });
});

// The catalog cache must keep the Products contract (a fresh clock per suite, so TTLs never expire mid-test).
describe('cached products over memory', () =>
  productsContract(async () => {
    const repos = memoryRepositories();
    return { ...repos, products: new CachedProducts(repos.products, new FixedClock(), 5000) };
  }));

describe('mongo adapters (FerretDB unless TEST_MONGODB_URI)', () => {
  // Every case starts from an empty database (emptied, not rebuilt: see recycled-db.ts) and new
  // adapters, so it depends on no other case's data or caches. The second connection is a second
  // process: its adapters know nothing the first one learned.
  const db = recycledDatabase('contract', 2);
  afterAll(() => db.close());
  runAll(async () => {
    const [one] = await db.take();
    return mongoRepositories(one!);
  });
  for (const suite of limitContracts)
    suite(async () => {
      const [one, two] = await db.take();
      return { a: mongoRepositories(one!), b: mongoRepositories(two!), fresh: () => mongoRepositories(two!) };
    });
  sessionKeysContract(async () => {
    const [one, two] = await db.take();
    return { a: new MongoSessionKeys(one!), b: new MongoSessionKeys(two!) };
  });
});
