// The environment of an API + sandbox pair on loopback, as the e2e tests and the benchmark run
// them: one definition, so both measure and test the same wiring.

export interface LocalPair {
  readonly apiPort: number;
  readonly sandboxPort: number;
  readonly mongoUri: string;
  readonly callbackSecret: string;
}

export const localUrl = (port: number) => `http://127.0.0.1:${port}`;

/**
 * The sandbox with callback retries scaled down 1000×: WeChat's 15 s becomes 15 ms. Its message
 * pushes (xpay) go to this API's push endpoint.
 */
export const sandboxEnv = (p: LocalPair): Record<string, string> => ({
  SANDBOX_PORT: String(p.sandboxPort),
  GATEWAY_CALLBACK_SECRET: p.callbackSecret,
  SANDBOX_TIME_SCALE: '0.001',
  SANDBOX_PUSH_URL: `${localUrl(p.apiPort)}/api/wechat/push`,
});

/** The API pointed at that sandbox for payments and login, with callbacks addressed to itself. */
export const apiEnv = (p: LocalPair): Record<string, string> => ({
  NODE_ENV: 'test',
  PORT: String(p.apiPort),
  HOST: '127.0.0.1',
  MONGODB_URI: p.mongoUri,
  GATEWAY_URL: localUrl(p.sandboxPort),
  WECHAT_API_BASE: localUrl(p.sandboxPort),
  PUBLIC_BASE_URL: localUrl(p.apiPort),
  GATEWAY_CALLBACK_SECRET: p.callbackSecret,
});

/**
 * The benchmarks drive many users from one address and many orders per user, which the abuse
 * limits exist to stop: they measure the request path with the limits off (docs/benchmarks.md).
 */
export const BENCH_WITHOUT_LIMITS: Readonly<Record<string, string>> = {
  RATE_LIMITS: 'off',
  PENDING_ORDERS_PER_USER: '0',
  REUSE_PENDING_ORDERS: 'off',
  PAYMENT_STATUS_QUERY_SECONDS: '0',
};
