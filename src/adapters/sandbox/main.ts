import { readFileSync } from 'node:fs';
import { createSandbox } from './server';
import { v3SimulatorFromEnv } from './v3/mount';
import { DEV_PUSH_AES_KEY, DEV_PUSH_TOKEN } from './wechat-push';
import { xpaySettingsFromEnv } from './xpay/mount';

// The only sandbox file that reads the environment; see docs/gateway-contract.md §8 (sandbox extras).
const env = process.env;
const port = Number(env.SANDBOX_PORT ?? 8081);
const timeScale = Number(env.SANDBOX_TIME_SCALE ?? 1);
if (!Number.isInteger(port) || port < 0 || port > 65535)
  throw new Error(`SANDBOX_PORT invalid: ${env.SANDBOX_PORT}`);
if (!Number.isFinite(timeScale) || timeScale < 0)
  throw new Error(`SANDBOX_TIME_SCALE invalid: ${env.SANDBOX_TIME_SCALE}`);

const seconds = (name: string, fallback: number) => {
  const v = Number(env[name] ?? fallback);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} invalid: ${env[name]}`);
  return v;
};
const appid = env.SANDBOX_APPID ?? 'wxd0000000sandbox';
const wechatpayV3 = v3SimulatorFromEnv(env, timeScale); // WeChat Pay v3 under /v3/* and /v3sim/*
const sandbox = createSandbox({
  routes: [wechatpayV3.handle],
  appid,
  tokenLifetimeSeconds: seconds('SANDBOX_TOKEN_SECONDS', 7200),
  tokenOverlapSeconds: seconds('SANDBOX_TOKEN_OVERLAP_SECONDS', 300),
  push: {
    token: env.WECHAT_PUSH_TOKEN ?? DEV_PUSH_TOKEN,
    encodingAesKey: env.WECHAT_PUSH_AES_KEY ?? DEV_PUSH_AES_KEY,
    appid,
  },
  xpay: xpaySettingsFromEnv(env), // 小程序虚拟支付 under /xpay/* and /xpaysim/*
  // A rotation list `new,old` is shared with the API; a real gateway signs with the newest.
  callbackSecret: (env.GATEWAY_CALLBACK_SECRET ?? 'dev-gateway-callback-secret').split(',')[0]!.trim(),
  timeScale,
  ...(env.SANDBOX_MERCHANT_KEY_FILE
    ? { merchantKeyPem: readFileSync(env.SANDBOX_MERCHANT_KEY_FILE, 'utf8') }
    : {}),
});
let server: ReturnType<typeof Bun.serve>;
try {
  server = Bun.serve({ port, fetch: sandbox.fetch });
} catch (e) {
  // One clear line instead of a stack trace; the usual cause is a sandbox already running.
  const busy = (e as { code?: unknown }).code === 'EADDRINUSE';
  console.error(
    `sandbox: cannot listen: ${busy ? `port ${port} is already in use (set SANDBOX_PORT)` : String(e)}`,
  );
  process.exit(1);
}
console.log(`sandbox listening on http://localhost:${server.port} (appid ${sandbox.appid})`);

function shutdown(signal: string) {
  console.log(`sandbox: ${signal}, stopping`);
  sandbox.stop();
  wechatpayV3.stop();
  void server.stop().then(() => process.exit(0));
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
