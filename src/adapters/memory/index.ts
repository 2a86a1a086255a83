import { MemoryAccessTokens } from './access-tokens';
import { MemoryAlertOutbox } from './alerts';
import { MemoryAuditReports } from './audit-reports';
import { MemoryFigureStore } from './figure-store';
import { MemoryLedger } from './ledger';
import { MemoryOnceKeys, MemoryPendingSlots, MemoryRateWindows, MemorySpendTallies } from './limits';
import { MemoryLoginLocks, MemoryOperatorAudit, MemoryOperatorSessions, MemoryOperators } from './operators';
import { MemoryOrders } from './orders';
import { MemoryPaymentEvents } from './payment-events';
import { MemoryProducts } from './products';
import { MemoryRefunds } from './refunds';
import { MemorySessionKeys } from './session-keys';
import { MemorySettlements } from './settlements';
import { MemoryShipments } from './shipments';
import { MemoryStatementReports } from './statement-reports';
import { MemoryStatusChanges } from './status-changes';
import { MemoryCallBudget, MemoryChecks, MemoryReviews } from './sweeper';
import { MemoryUsers } from './users';

export function memoryRepositories() {
  return {
    products: new MemoryProducts(),
    users: new MemoryUsers(),
    orders: new MemoryOrders(),
    statusChanges: new MemoryStatusChanges(),
    settlements: new MemorySettlements(),
    refunds: new MemoryRefunds(),
    ledger: new MemoryLedger(),
    checks: new MemoryChecks(),
    callBudget: new MemoryCallBudget(),
    reviews: new MemoryReviews(),
    figureStore: new MemoryFigureStore(),
    statementReports: new MemoryStatementReports(),
    auditReports: new MemoryAuditReports(),
    rateWindows: new MemoryRateWindows(),
    onceKeys: new MemoryOnceKeys(),
    pendingSlots: new MemoryPendingSlots(),
    spendTallies: new MemorySpendTallies(),
    operators: new MemoryOperators(),
    operatorSessions: new MemoryOperatorSessions(),
    operatorAudit: new MemoryOperatorAudit(),
    loginLocks: new MemoryLoginLocks(),
    sessionKeys: new MemorySessionKeys(),
    accessTokenStore: new MemoryAccessTokens(),
    shipments: new MemoryShipments(),
    shippingQueue: new MemoryChecks(),
    alertOutbox: new MemoryAlertOutbox(),
    paymentEvents: new MemoryPaymentEvents(),
  };
}
