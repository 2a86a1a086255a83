import type { PasswordHasher } from '../../domain/operators/ports';

/**
 * argon2id through Bun.password. The costs are Bun's defaults (64 MiB, 2 passes) unless given:
 * tests pass small ones so that hundreds of logins stay fast; the encoded hash records its costs,
 * so `verify` works whatever they were.
 */
export function argon2Hasher(cost: { memoryCost?: number; timeCost?: number } = {}): PasswordHasher {
  return {
    hash: (password) => Bun.password.hash(password, { algorithm: 'argon2id', ...cost }),
    async verify(password, hash) {
      try {
        return await Bun.password.verify(password, hash, 'argon2id');
      } catch {
        // A malformed stored hash is a refusal, not a crash of the login page.
        return false;
      }
    },
  };
}
