import type { Payments, ProviderError } from '../payment';
import { err, type Result } from '../result';
import type { Deps } from './deps';

const exhausted = (): Result<never, ProviderError> =>
  err({ kind: 'provider_unavailable', message: 'sweeper call budget exhausted' });

/**
 * The provider as one sweeper run sees it: every call first takes a token of the minute's budget,
 * which all instances share; once none is left, calls fail at once without reaching the provider,
 * and the check that wanted one is left queued (`denied`) instead of counting as a failed attempt.
 */
export function budgetedPayments(deps: Pick<Deps, 'payments' | 'callBudget'>, minute: number, limit: number) {
  let empty = false;
  const take = async (): Promise<boolean> => {
    if (empty) return false;
    if (await deps.callBudget.take(minute, limit)) return true;
    empty = true;
    return false;
  };
  return {
    forCheck() {
      let denied = false;
      const metered =
        <A extends unknown[], T>(call: (...args: A) => Promise<Result<T, ProviderError>>) =>
        async (...args: A): Promise<Result<T, ProviderError>> => {
          if (await take()) return call(...args);
          denied = true;
          return exhausted();
        };
      const p = deps.payments;
      const confirm = p.confirmDelivery?.bind(p);
      const payments: Payments = {
        createPayment: metered((req) => p.createPayment(req)),
        query: metered((no) => p.query(no)),
        close: metered((no) => p.close(no)),
        refund: metered((req) => p.refund(req)),
        queryRefund: metered((no) => p.queryRefund(no)),
        ...(confirm ? { confirmDelivery: metered((no: string) => confirm(no)) } : {}),
      };
      return { payments, denied: () => denied };
    },
  };
}
