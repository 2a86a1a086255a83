import type { DomainError } from '../../../domain/errors';
import type { NotificationError, PaymentEvent, RefundNotice } from '../../../domain/payment';
import type { Result } from '../../../domain/result';
import { type NotificationRoute, recordNotification } from '../../../domain/usecases/journal-notifications';
import type { AppDeps } from '../context';
import { httpError } from '../errors';

/** What differs between the four provider notification routes; the steps around it are shared. */
export interface NotificationReceiver<S extends PaymentEvent | RefundNotice, A> {
  readonly route: NotificationRoute;
  readonly verify: (headers: Headers, rawBody: string) => Result<S, NotificationError>;
  readonly handle: (statement: S) => Promise<Result<unknown, DomainError>>;
  /** The status the journal records for a handled notification, and the answer that carries it. */
  readonly accepted: { readonly status: number; readonly answer: () => A };
  /** The answer to a refused one (the provider retries those), and its log line. */
  readonly refused: (error: DomainError, status: number, detail: string) => A;
  readonly rejectedEvent: string;
  /** Log the start of a refused body (the gateway's; WeChat Pay's is ciphertext). */
  readonly logBody?: boolean;
}

/**
 * Verify the exact bytes, handle only what verified, file it in the order's timeline with the
 * answer given, and log a refusal. Nothing changes unless verification passes.
 */
export function notificationReceiver(deps: AppDeps) {
  const noted = recordNotification(deps);
  return async <S extends PaymentEvent | RefundNotice, A>(
    receiver: NotificationReceiver<S, A>,
    headers: Headers,
    body: unknown,
  ): Promise<A> => {
    const at = deps.clock.now();
    const rawBody = String(body);
    const verified = receiver.verify(headers, rawBody);
    const handled = verified.ok ? await receiver.handle(verified.value) : verified;
    const received = { route: receiver.route, at, headers, rawBody, verified };
    if (handled.ok) {
      await noted({ ...received, handled, status: receiver.accepted.status });
      return receiver.accepted.answer();
    }
    const { status, detail } = httpError(handled.error);
    await noted({ ...received, handled, status });
    deps.log(receiver.rejectedEvent, {
      status,
      reason: handled.error.kind,
      detail,
      ...(receiver.logBody ? { body: rawBody.slice(0, 512) } : {}),
    });
    return receiver.refused(handled.error, status, detail);
  };
}
