import { Secret, TOTP } from 'otpauth';
import { createHash, timingSafeEqual } from 'node:crypto';

/** Compares a presented password in constant time, whatever the lengths. */
export function sameSecret(presented: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

/** Whether `code` is the user's six-digit TOTP code at `nowMs`, one period either side. */
export function validTotp(secret: string, code: string, nowMs: number): boolean {
  const totp = new TOTP({
    secret: Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
  });
  return (
    /^\d{6}$/.test(code) && totp.validate({ token: code, timestamp: nowMs, window: 1 }) !== null
  );
}
