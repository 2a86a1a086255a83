import { OUT_NO_PATTERN } from '../payment/gateway/contract';
import { json } from './http';

/** `{code, message, data?}` with HTTP 200: the gateway contract puts decisions in `code`. */
export const envelope = (code: number, message: string, data?: unknown) =>
  json(data === undefined ? { code, message } : { code, message, data });

export const isOutNo = (v: unknown): v is string => typeof v === 'string' && OUT_NO_PATTERN.test(v);
export const isAmount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;
export const isText = (v: unknown, max: number): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= max;

export function isHttpUrl(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  try {
    return ['http:', 'https:'].includes(new URL(v).protocol);
  } catch {
    return false;
  }
}
