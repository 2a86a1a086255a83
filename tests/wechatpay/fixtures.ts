// Loads the openssl/python-generated known-answer fixtures (tests/fixtures/wechatpay/README.md).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(import.meta.dir, '..', 'fixtures', 'wechatpay');
export const fixture = (name: string): string => readFileSync(join(dir, name), 'utf8');

export interface GcmVector {
  key: string;
  nonce: string;
  associated_data: string;
  plaintext: string;
  ciphertext: string;
}
export const gcmVector = (): GcmVector => JSON.parse(fixture('gcm.json')) as GcmVector;
