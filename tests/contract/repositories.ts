import type {
  LoginLocks,
  OperatorAudit,
  OperatorSessions,
  Operators,
} from '../../src/domain/operators/ports';
import type {
  AlertOutbox,
  CallBudget,
  Checks,
  Ledger,
  Orders,
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
  alertOutbox: AlertOutbox;
  operators: Operators;
  operatorSessions: OperatorSessions;
  operatorAudit: OperatorAudit;
  loginLocks: LoginLocks;
}

export type MakeRepositories = () => Promise<Repositories>;
