import { UnauthorizedException } from '@nestjs/common';
import { MAX_AGE } from '../config';

/**
 * The `auth_time` check that the baseline recipes add by hand, so that they do the same work as
 * `@RequireRecentAuth(MAX_AGE)`.
 */
export function assertRecentAuthTime(authTime: unknown): void {
  if (typeof authTime !== 'number' || Math.floor(Date.now() / 1000) - authTime > MAX_AGE) {
    throw new UnauthorizedException('stale');
  }
}
