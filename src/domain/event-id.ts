import type { Random } from './ports';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
const SEQUENCE_SPAN = 36 ** 6;
let sequence = 0;

/**
 * An id that sorts as records were made: the millisecond, then this process's order of recording,
 * then random characters (unique across instances). Without the sequence, two events of one
 * millisecond (a refused callback and its replay, a few hundred microseconds apart) were shown in
 * random order, because readers break ties on the id.
 */
export function timeOrderedId(at: Date, random: Random, randomLength: number): string {
  sequence = (sequence + 1) % SEQUENCE_SPAN;
  const seq = sequence.toString(36).padStart(6, '0');
  return `${at.getTime().toString(36)}-${seq}${random.string(randomLength, ALPHABET)}`;
}
