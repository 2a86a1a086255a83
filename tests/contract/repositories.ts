import type {
  LoginLocks,
  OperatorAudit,
  OperatorSessions,
  Operators,
} from '../../src/domain/operators/ports';
import type {
  AccessTokenStore,
  AlertOutbox,
  AuditReports,
  CallBudget,
  Checks,
  FigureStore,
  Ledger,
  Orders,
  PaymentEvents,
  Products,
  Refunds,
  Reviews,
  Settlements,
  StatementReports,
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
  checks: Checks;
  callBudget: CallBudget;
  reviews: Reviews;
  statementReports: StatementReports;
  auditReports: AuditReports;
  figureStore: FigureStore;
  operators: Operators;
  operatorSessions: OperatorSessions;
  operatorAudit: OperatorAudit;
  loginLocks: LoginLocks;
  accessTokenStore: AccessTokenStore;
  alertOutbox: AlertOutbox;
  paymentEvents: PaymentEvents;
}

export type MakeRepositories = () => Promise<Repositories>;
