// Factory and public surface of the WeChat Pay v3 adapter.
import type { PaymentNotifications, PaymentParams, Payments, Statements } from '../../../domain/payment';
import type { Clock, Random } from '../../../domain/ports';
import { createApiClient, type Fetch } from './client';
import type { WechatPayConfig } from './config';
import { createWechatPayNotifications } from './notifications';
import { createWechatPayPayments } from './payments';
import { createWechatPayStatements } from './statements';
import { createVerifier } from './verifier';

export type { Fetch } from './client';
export { type RawWechatPayConfig, validateWechatPayConfig, type WechatPayConfig } from './config';
export { wechatPayConfigFromEnv } from './env';
export { notifyFailBody, notifyFailStatus } from './notifications';

/** `config` must come from validateWechatPayConfig (keys are parsed here and would throw otherwise). */
export function createWechatPay(
  config: WechatPayConfig,
  deps: { fetch?: Fetch; clock: Clock; random: Random },
): { payments: Payments<PaymentParams>; notifications: PaymentNotifications; statements: Statements } {
  const verifier = createVerifier(config.verifierKeys);
  const api = createApiClient(config, verifier, {
    fetch: deps.fetch ?? fetch,
    clock: deps.clock,
    random: deps.random,
  });
  return {
    payments: createWechatPayPayments(config, api, deps),
    notifications: createWechatPayNotifications(config, verifier, deps),
    statements: createWechatPayStatements(api),
  };
}
