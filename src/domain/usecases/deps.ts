import type {
  Alerts,
  AuditReports,
  CallBudget,
  Checks,
  Clock,
  Ledger,
  OnceKeys,
  Orders,
  PaymentEvents,
  Payments,
  PendingSlots,
  Products,
  Random,
  RateWindows,
  Refunds,
  Reviews,
  SessionKeys,
  Settlements,
  SpendTallies,
  StatusChanges,
  Users,
  WechatLogin,
} from '../ports';
import type { ShippingDeps } from './shipping';

/** Limits on what one user can set in motion; each is off when absent or 0. */
export interface OrderLimits {
  /** Unfinished (pending) orders a user may hold at once. */
  readonly pendingOrdersPerUser?: number;
  /** Sum of the amounts of the orders a user may create per local day, in fen. */
  readonly dailySpendCapFen?: number;
  /** A new order for a product the user already has a payable pending order of reuses that order. */
  readonly reusePendingOrders?: boolean;
  /** The provider is asked about one order at most once per this many seconds (payment-status). */
  readonly statusQuerySeconds?: number;
}

export interface TimelineSettings {
  /** Days a payment event is kept (TIMELINE_RETENTION_DAYS). */
  readonly retentionDays: number;
  /** Bytes of a received callback body kept (TIMELINE_BODY_MAX_BYTES); the rest is cut with a marker. */
  readonly bodyMaxBytes: number;
  /**
   * Refused, unverified callbacks recorded per minute and route group in one instance
   * (TIMELINE_UNVERIFIED_PER_MINUTE): anyone can send them, and each would otherwise be an insert.
   */
  readonly unverifiedPerMinute: number;
}

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
  /** Every finished run of the integrity audit (audit-runs.ts). */
  readonly auditReports: AuditReports;
  readonly rateWindows: RateWindows;
  readonly onceKeys: OnceKeys;
  readonly pendingSlots: PendingSlots;
  readonly spendTallies: SpendTallies;
  readonly payments: Payments;
  /** Provider calls, callbacks and sweeper decisions, for the order timeline (payment-journal.ts). */
  readonly paymentEvents: PaymentEvents;
  readonly wechatLogin: WechatLogin;
  readonly sessionKeys: SessionKeys;
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
    /** Abuse limits of the use cases (usecases/limits.ts); absent means none. */
    readonly limits?: OrderLimits;
    /**
     * The provider is xpay (wx.requestVirtualPayment): logins keep the session_key, and a payment is
     * signed with it and names the product's xpay item.
     */
    readonly virtualPayment?: boolean;
    /** How long payment events are kept and how much of a received body; defaults when absent. */
    readonly timeline?: TimelineSettings;
  };
  /** Shipping-info uploads to WeChat after crediting (SHIPPING_UPLOAD=on, WeChat Pay providers); absent = off. */
  readonly shipping?: ShippingDeps;
  /** Structured log of events worth an operator's attention (rejected callbacks, anomalies). */
  readonly log: (event: string, fields: Record<string, unknown>) => void;
  /** What needs a human, sent to the operators' webhook (fire-and-forget); absent = none raised. */
  readonly alerts?: Alerts;
}
