// session_key at rest: AES-256-GCM around whichever SessionKeys store is wired. A session_key signs
// payments in the user's name, so the database only ever holds ciphertext, bound to its user.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import type { SessionKeys } from '../../domain/ports';

const VERSION = 'v1';

/** The sealing key from SESSION_KEY_SECRET: exactly 32 bytes, base64. */
export function sessionKeySecret(base64: string): Buffer | string {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== 32 || key.toString('base64') !== base64.replace(/\s/g, ''))
    return 'SESSION_KEY_SECRET must be 32 random bytes, base64 (openssl rand -base64 32)';
  return key;
}

/**
 * Local development only: a key derived from the data folder, so a restarted `npm start` still reads
 * the keys it stored. Anyone who knows the path can derive it, which is why production refuses it.
 */
export const devSessionKeySecret = (dataDir: string): Buffer =>
  createHash('sha256')
    .update(`dev-session-key-secret:${path.resolve(dataDir)}`)
    .digest();

/**
 * Seals on save and opens on read. The user id is the GCM associated data, so a ciphertext copied to
 * another user's record does not open. A value that does not open (the secret was changed) reads as
 * no key at all: the client is asked to log in again, which stores a fresh one.
 */
export function sealedSessionKeys(store: SessionKeys, key: Buffer): SessionKeys {
  const aad = (userId: number) => Buffer.from(`session-key:${userId}`, 'utf8');
  return {
    save(userId, value, at) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(aad(userId));
      const ct = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
      const sealed = [VERSION, iv, ct, cipher.getAuthTag()]
        .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
        .join('.');
      return store.save(userId, sealed, at);
    },
    async latest(userId) {
      const sealed = await store.latest(userId);
      if (sealed === null) return null;
      const [version, iv, ct, tag] = sealed.split('.');
      if (version !== VERSION || !iv || ct === undefined || !tag) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
          .setAAD(aad(userId))
          .setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString(
          'utf8',
        );
      } catch {
        return null;
      }
    },
  };
}
