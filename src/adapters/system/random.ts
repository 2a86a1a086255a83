import { randomInt } from 'node:crypto';
import type { Random } from '../../domain/ports';

/** Uniform, unpredictable characters: order numbers must not be guessable. */
export const cryptoRandom: Random = {
  string(length, alphabet) {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
    return out;
  },
};
