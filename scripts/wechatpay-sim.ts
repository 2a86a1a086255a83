// `PAYMENT_PROVIDER=wechatpay npm start` with no merchant of your own: the sandbox's v3 simulator
// and the API share one generated merchant identity in .data/wechatpay-sim, so the whole v3 flow
// runs locally with no other setting. With WECHATPAY_MCHID set, nothing here applies.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ensureIdentity } from '../src/adapters/sandbox/v3/keys';
import { ROOT } from './ferretdb';

export function localWechatPay(env: Record<string, string | undefined>): Record<string, string> {
  if (env.PAYMENT_PROVIDER !== 'wechatpay' || env.WECHATPAY_MCHID) return {};
  const dir = path.join(ROOT, '.data', 'wechatpay-sim');
  ensureIdentity(dir);
  const vars = readEnvFile(path.join(dir, 'wechatpay.env'));
  console.error(`PAYMENT_PROVIDER=wechatpay against the local v3 simulator (merchant files in ${dir})`);
  return {
    ...vars,
    WECHATPAY_SIM_DIR: dir,
    WECHATPAY_BASE_URL: `http://127.0.0.1:${env.SANDBOX_PORT ?? '8081'}`,
  };
}

/** `KEY=value` lines (the format keys.ts writes), as an object. */
export function readEnvFile(file: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}
