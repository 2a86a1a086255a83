import type {
  Clock,
  Ledger,
  Orders,
  Payments,
  Products,
  Random,
  Refunds,
  Settlements,
  Users,
  WechatLogin,
} from '../ports';

/** Everything the use cases need, wired once by the composition root. */
export interface Deps {
  readonly products: Products;
  readonly users: Users;
  readonly orders: Orders;
  readonly settlements: Settlements;
  readonly refunds: Refunds;
  readonly ledger: Ledger;
  readonly payments: Payments;
  readonly wechatLogin: WechatLogin;
  readonly clock: Clock;
  readonly random: Random;
  readonly settings: {
    readonly timeZone: string;
    readonly orderExpireMinutes: number;
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
