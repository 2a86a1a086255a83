import type { OperatorDeps } from '../../domain/operators/deps';
import type { PaymentNotifications } from '../../domain/payment';
import type { AlertOutbox, FigureStore, Products, StatementReports, Statements } from '../../domain/ports';
import type { PushHandlers, PushVerifier } from '../../domain/push';
import type { Deps } from '../../domain/usecases/deps';
import type { TimelineOptions } from '../../domain/usecases/timeline';
import type { MetricsAccess } from '../metrics/route';
import type { JwtSettings } from './auth';
import type { HttpLimits } from './limits';
import type { Presenter } from './present';

/** What createApp needs: the use-case dependencies plus the HTTP layer's own settings. */
export interface AppDeps extends Deps, Omit<OperatorDeps, 'settings'> {
  /** Read-through cache of `products` for the public catalog routes only (never for pricing). */
  readonly catalog: Products;
  readonly present: Presenter;
  readonly jwt: JwtSettings;
  /** Verifies `/api/orders/callback` (the gateway's HMAC signature); absent unless PAYMENT_PROVIDER=gateway. */
  readonly gatewayNotifications?: PaymentNotifications;
  /** Verifies `/api/orders/notify/wechatpay`; absent unless PAYMENT_PROVIDER=wechatpay. */
  readonly wechatpayNotifications?: PaymentNotifications;
  /** WeChat message-push security (`/api/wechat/push`); absent = the endpoint answers 404. */
  readonly wechatPush?: PushVerifier;
  /** Push handlers by `Event` (or `MsgType` for non-events); unknown kinds are acknowledged and logged. */
  readonly pushHandlers: PushHandlers;
  /** The provider's daily statement (gateway statement or WeChat Pay trade bill); absent = no reconciliation. */
  readonly statements?: Statements;
  readonly statementReports?: StatementReports;
  /** All-time credit totals for the console dashboard; absent = the dashboard shows none. */
  readonly figureStore?: FigureStore;
  /** The alerts' outbox, listed by GET /api/admin/alerts; absent = no such route data (empty list). */
  readonly alertOutbox?: AlertOutbox;
  /** True when the database answers a ping (for /ready). */
  readonly dbReady: () => Promise<boolean>;
  /** True when the payment provider answers HTTP at all (for /ready); absent = not checked. */
  readonly providerReady?: () => Promise<boolean>;
  readonly newRequestId: () => string;
  /** `/metrics` and the request histogram; absent = no metrics at all (most HTTP tests). */
  readonly metrics?: MetricsAccess;
  readonly http: HttpSettings;
  /** More sources for the order timeline (the console plugs its operator audit log in here). */
  readonly timelineSources?: TimelineOptions;
  /** The operator console under /admin (src/app/console). */
  readonly console: ConsoleSettings;
}

export interface ConsoleSettings {
  /** A session ends this long after login, whatever happens (ADMIN_SESSION_HOURS). */
  readonly sessionHours: number;
  /** Cookies carry `Secure` (production, or an https:// PUBLIC_BASE_URL). */
  readonly secureCookie: boolean;
  /** HMAC key of the CSRF tokens (derived from JWT_SECRET). */
  readonly csrfKey: string;
  /** Origins a state change may come from besides the request's own (PUBLIC_BASE_URL's). */
  readonly origins: readonly string[];
}

/** The HTTP layer's own abuse settings (config-limits.ts). */
export interface HttpSettings {
  readonly limits: HttpLimits;
  /** Reverse proxies whose X-Forwarded-For and X-Request-Id are believed (IPs and CIDR ranges). */
  readonly trustedProxies: readonly string[];
  /** Serve Swagger UI and the OpenAPI spec. */
  readonly docs: boolean;
  /** A request still running after this long is answered 503 (0 = never). */
  readonly requestTimeoutMs: number;
  /** The public origin is HTTPS: responses carry Strict-Transport-Security. */
  readonly https: boolean;
}
