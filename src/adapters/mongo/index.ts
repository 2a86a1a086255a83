import type { Connection } from 'mongoose';
import type { Clock } from '../../domain/ports';
import { systemClock } from '../system/clock';
import { MongoAccessTokens } from './access-tokens';
import { MongoAlertOutbox } from './alerts';
import { MongoAuditReports } from './audit-reports';
import { MongoCallBudget } from './call-budget';
import { MongoChecks } from './checks';
import { MongoFigureStore } from './figure-store';
import { MongoLedger } from './ledger';
import { MongoLoginLocks } from './login-locks';
import { MongoOnceKeys } from './once-keys';
import { MongoOperatorAudit } from './operator-audit';
import { MongoOperatorSessions } from './operator-sessions';
import { MongoOperators } from './operators';
import { MongoOrders } from './orders';
import { MongoPaymentEvents } from './payment-events';
import { MongoPendingSlots } from './pending-slots';
import { MongoProducts } from './products';
import { MongoRateWindows } from './rate-windows';
import { MongoRefunds } from './refunds';
import { MongoReviews } from './reviews';
import { MongoSessionKeys } from './session-keys';
import { MongoSettlements } from './settlements';
import { MongoShipments, mongoShippingQueue } from './shipments';
import { MongoSpendTallies } from './spend-tallies';
import { MongoStatementReports } from './statement-reports';
import { MongoStatusChanges } from './status-changes';
import { MongoUsers } from './users';

export { connectMongo, ensureIndexes } from './connection';

/** `clock` tells the reviews' open list when a marker without its review is an orphan (reviews.ts). */
export function mongoRepositories(conn: Connection, clock: Clock = systemClock) {
  return {
    products: new MongoProducts(conn),
    users: new MongoUsers(conn),
    orders: new MongoOrders(conn),
    statusChanges: new MongoStatusChanges(conn),
    settlements: new MongoSettlements(conn),
    refunds: new MongoRefunds(conn),
    ledger: new MongoLedger(conn),
    checks: new MongoChecks(conn),
    callBudget: new MongoCallBudget(conn),
    reviews: new MongoReviews(conn, clock),
    figureStore: new MongoFigureStore(conn),
    statementReports: new MongoStatementReports(conn),
    auditReports: new MongoAuditReports(conn),
    rateWindows: new MongoRateWindows(conn),
    onceKeys: new MongoOnceKeys(conn),
    pendingSlots: new MongoPendingSlots(conn),
    spendTallies: new MongoSpendTallies(conn),
    operators: new MongoOperators(conn),
    operatorSessions: new MongoOperatorSessions(conn),
    operatorAudit: new MongoOperatorAudit(conn),
    loginLocks: new MongoLoginLocks(conn),
    sessionKeys: new MongoSessionKeys(conn),
    accessTokenStore: new MongoAccessTokens(conn),
    shipments: new MongoShipments(conn),
    shippingQueue: mongoShippingQueue(conn),
    alertOutbox: new MongoAlertOutbox(conn),
    paymentEvents: new MongoPaymentEvents(conn),
  };
}
