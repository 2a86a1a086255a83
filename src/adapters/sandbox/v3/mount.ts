// How the sandbox process mounts the v3 simulator. With WECHATPAY_SIM_DIR the merchant identity
// is read from (or first written to) that folder, so the API can be pointed at the same files;
// without it a throwaway identity is generated and only the simulator knows the merchant key.
import { ensureIdentity } from './keys';
import { createV3Simulator, type V3Simulator } from './simulator';

export function v3SimulatorFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  timeScale: number,
): V3Simulator {
  const dir = env.WECHATPAY_SIM_DIR;
  if (!dir) return createV3Simulator({ timeScale });
  const { merchant, wechatpay } = ensureIdentity(dir);
  return createV3Simulator({ timeScale, merchant, wechatpayKeys: [wechatpay] });
}
