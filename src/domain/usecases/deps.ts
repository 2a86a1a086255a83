import type {
  CallBudget,
  Checks,
  Clock,
  Ledger,
  Orders,
  Payments,
  Products,
  Random,
  Refunds,
  Reviews,
  Settlements,
  StatusChanges,
  Users,
  WechatLogin,
} from '../ports';

/** Everything the use cases need, wired once by the composition root. */
export interface Deps {
  readonly products: Products;
  readonly users: Users;
  readonly orders: Orders;
  readonly statusChanges: StatusChanges;
  readonly settlements: Settlements;
  readonly refunds: Refunds;
  readonly ledger: Ledger;
  /** The sweeper's work queue, its shared provider-call budget and what it hands to a human. */
  readonly checks: Checks;
  readonly callBudget: CallBudget;
  readonly reviews: Reviews;
  readonly payments: Payments;
  readonly wechatLogin: WechatLogin;
  readonly clock: Clock;
  readonly random: Random;
  readonly settings: {
    readonly timeZone: string;
    readonly orderExpireMinutes: number;
    /** When the sweeper first looks at a new order (RECONCILE_AFTER_SECONDS); 60 s when absent. */
    readonly firstCheckAfterMs?: number;
    /** Where the provider delivers payment callbacks (WeChat's notify_url). */
    readonly notifyUrl: string;
    /** Where the provider delivers refund results; absent = its configured default. */
    readonly refundNotifyUrl?: string;
    /** Openids promoted to `admin` at login (ADMIN_OPENIDS); absent means nobody is promoted. */
    readonly adminOpenids?: readonly string[];
  };
  /** Structured log of events worth an operator's attention (rejected callbacks, anomalies). */
  readonly log: (event: string, fields: Record<string, unknown>) => void;
}
