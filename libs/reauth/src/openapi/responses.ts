import { RequestMethod } from '@nestjs/common';
import { challengeFor } from '../exceptions/reauth-refusal';
import {
  ReauthRequiredException,
  type ReauthReason,
} from '../exceptions/reauth-required.exception';
import { FORBIDDEN_REASONS, REAUTH_REASONS, type ReauthSchemaName } from './schemas';
import type { OpenApiHeader } from './swagger-api';

/** One response a guarded route can give, as the OpenAPI document shows it. */
export interface ReauthResponseDoc {
  status: 400 | 401 | 403 | 503;
  schema: ReauthSchemaName;
  description: string;
  headers?: Record<string, OpenApiHeader>;
}

/** The methods the guard lets through without checking where a cookie request came from. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const code = (values: readonly string[]) => values.map((value) => `\`${value}\``).join(', ');

/** "Requires a sign-in within 300 s (max_age=300), ..." */
/**
 * What a marked route requires, as far as its documentation tells: the shape of the metadata of
 * `@RequireRecentAuth()`, described here so the decorator can document routes without a loop.
 */
export interface DocumentedRequirement {
  maxAge?: number | null;
  level?: string;
  bind?: { fields: readonly string[] };
  allowCrossOrigin?: boolean;
  allowImpersonation?: boolean;
  acr?: readonly string[];
  amr?: readonly string[];
}

function requirementSentence(requirement: DocumentedRequirement): string {
  const { maxAge, acr, amr, level, bind } = requirement;
  if (maxAge === null) return 'Requires a signed-in user.';
  const bound = bind
    ? `; the confirmation is bound to this action (${code(bind.fields)}) and counts once`
    : '';
  if (maxAge === undefined) {
    return level === undefined
      ? `Requires a recent sign-in as the module's default level says${bound}.`
      : `Requires a recent sign-in as the module's level \`${level}\` says${bound}.`;
  }
  let sentence =
    maxAge === 0
      ? 'Requires a sign-in for this very request (max_age=0): each re-authentication lets one request through'
      : `Requires a sign-in within ${maxAge} s (max_age=${maxAge})`;
  if (acr?.length) {
    sentence += `, at one of the assurance levels ${code(acr)} (acr_values="${acr.join(' ')}")`;
  }
  if (amr?.length) sentence += `, with one of the authentication methods ${code(amr)} (amr)`;
  return `${sentence}${bound}.`;
}

/** The reasons of the JSON 401 this route can give. */
function reasonsOf(requirement: DocumentedRequirement): ReauthReason[] {
  return REAUTH_REASONS.filter((reason) => {
    switch (reason) {
      case 'unauthenticated':
      case 'invalid_token':
        return true;
      case 'stale':
      case 'missing_auth_time':
        return requirement.maxAge !== null;
      case 'insufficient_assurance':
        return (
          requirement.maxAge !== null &&
          (requirement.maxAge === undefined ||
            requirement.acr !== undefined ||
            requirement.amr !== undefined)
        );
    }
  });
}

function unauthorized(requirement: DocumentedRequirement): ReauthResponseDoc {
  const signInOnly = requirement.maxAge === null;
  // The challenge the filter sends for this route, built by the filter's own code.
  const example = challengeFor(
    new ReauthRequiredException({
      reason: signInOnly ? 'unauthenticated' : 'stale',
      maxAge: requirement.maxAge ?? undefined,
      acrValues: requirement.acr,
    }),
  );
  const challenge =
    '`Bearer` when the request carries no credentials, `Bearer error="invalid_token", …` ' +
    'when its token fails verification (RFC 6750)' +
    (signInOnly
      ? '.'
      : '; otherwise `Bearer error="insufficient_user_authentication", …` with the ' +
        'route’s max_age (and acr_values), as in the example (RFC 9470).');
  return {
    status: 401,
    schema: 'ReauthRequiredResponse',
    description:
      `${requirementSentence(requirement)} ` +
      `\`reason\`: ${code(reasonsOf(requirement))}. Send the user to \`reauthUrl\`, then ` +
      'retry. Browser navigations are redirected to the sign-in page instead.',
    headers: {
      'WWW-Authenticate': {
        description: `The challenge: ${challenge}`,
        required: true,
        schema: { type: 'string', example },
      },
    },
  };
}

function forbidden(
  requirement: DocumentedRequirement,
  method: RequestMethod,
): ReauthResponseDoc | undefined {
  const crossSite =
    requirement.allowCrossOrigin !== true && !SAFE_METHODS.has(RequestMethod[method]);
  const impersonation = requirement.maxAge !== null && requirement.allowImpersonation !== true;
  const when: Record<(typeof FORBIDDEN_REASONS)[number], string | undefined> = {
    cross_site_request: crossSite
      ? '`cross_site_request` when a request authenticated by the session cookie did not come from the application’s own pages'
      : undefined,
    impersonation_not_allowed: impersonation
      ? '`impersonation_not_allowed` when the token acts on the user’s behalf (an `act` claim)'
      : undefined,
  };
  const reasons = FORBIDDEN_REASONS.map((reason) => when[reason]).filter(Boolean);
  if (reasons.length === 0) return undefined;
  return {
    status: 403,
    schema: 'ReauthForbiddenResponse',
    description:
      `Refused whatever the sign-in’s age; re-authenticating does not help. \`reason\`: ` +
      `${reasons.join('; ')}. Browser navigations get the same as a page.`,
  };
}

const badAction = (bind: { fields: readonly string[] }): ReauthResponseDoc => ({
  status: 400,
  schema: 'ReauthBadActionResponse',
  description:
    `The body lacks a bound field (${code(bind.fields)}: each a string, a number or a boolean), ` +
    'or the action cannot be described for confirmation. `reason`: `action_fields_missing`, ' +
    '`action_summary_invalid`.',
});

const unavailable = (): ReauthResponseDoc => ({
  status: 503,
  schema: 'ReauthUnavailableResponse',
  description:
    'Authentication is temporarily unavailable: the identity provider, its keys or the session store failed. Nothing was done; retry after `Retry-After` seconds.',
  headers: {
    'Retry-After': {
      description: 'Seconds to wait before retrying.',
      required: true,
      schema: { type: 'integer', example: 5 },
    },
  },
});

/**
 * The responses the guard and its filter can give on a route with this requirement and HTTP
 * method: the JSON 401, the 403 where one of its reasons can happen, and the 503. The module's
 * own `allowCrossOrigin` and `allowImpersonation` are not known here (decorators run before the
 * module is configured), so only the route's options narrow the 403.
 */
export function describeReauthResponses(
  requirement: DocumentedRequirement,
  method: RequestMethod,
): ReauthResponseDoc[] {
  const forbiddenDoc = forbidden(requirement, method);
  return [
    ...(requirement.bind ? [badAction(requirement.bind)] : []),
    unauthorized(requirement),
    ...(forbiddenDoc ? [forbiddenDoc] : []),
    unavailable(),
  ];
}
