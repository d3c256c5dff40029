import type { LoggerService } from '@nestjs/common';
import { isSameOriginRequest, negotiateResponse } from '../core';
import { describeError } from '../core/describe-error';
import type { RecentAuthRequirement } from '../decorators/require-recent-auth.decorator';
import type { ReauthRequest } from '../interfaces';

/**
 * The in-progress action, for a signed-in user's own browser navigation only. Another site's
 * form (a cross-site POST) must not plant an action in the user's session, and scripts and API
 * clients retry their own requests instead. A failing capture must not turn a 401 into a 500.
 */
export function captureAction(
  requirement: RecentAuthRequirement,
  request: ReauthRequest & { body?: unknown },
  allowedOrigins: Parameters<typeof isSameOriginRequest>[1],
  logger: Pick<LoggerService, 'warn'>,
): unknown {
  if (!requirement.action) return undefined;
  if (
    !isSameOriginRequest(request.headers, allowedOrigins) ||
    negotiateResponse(request.headers) !== 'redirect'
  ) {
    return undefined;
  }
  try {
    return requirement.action?.(request);
  } catch (error) {
    logger.warn(
      `The action capture of a guarded route threw ${describeError(error)}; nothing will be restored`,
    );
    return undefined;
  }
}
