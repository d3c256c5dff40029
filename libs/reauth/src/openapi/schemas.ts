import type { StepUpOffer } from '../factors/step-up-offers';
import type { ReauthForbiddenReason } from '../exceptions/reauth-forbidden.exception';
import type { ReauthReason } from '../exceptions/reauth-required.exception';
import type { ReauthBadActionReason } from '../exceptions/reauth-bad-action.exception';
import type { SwaggerApi, SwaggerPropertyOptions } from './swagger-api';

/** Every `reason` of the JSON 401, in the order docs/errors.md lists them. */
export const REAUTH_REASONS = [
  'stale',
  'missing_auth_time',
  'unauthenticated',
  'invalid_token',
  'insufficient_assurance',
] as const satisfies readonly ReauthReason[];

/** Every `reason` of the 403. */
export const FORBIDDEN_REASONS = [
  'cross_site_request',
  'impersonation_not_allowed',
] as const satisfies readonly ReauthForbiddenReason[];

// A reason added to the exceptions and not here fails to compile.
type Missing<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : Exclude<All, Listed>;
const allReasonsListed: Missing<ReauthReason, (typeof REAUTH_REASONS)[number]> = true;
const allForbiddenReasonsListed: Missing<
  ReauthForbiddenReason,
  (typeof FORBIDDEN_REASONS)[number]
> = true;
void allReasonsListed;
void allForbiddenReasonsListed;

/** The JSON 401 body: `ReauthRequiredException`'s response plus the filter's `reauthUrl`. */
export interface ReauthRequiredBody {
  statusCode: 401;
  error: 'reauth_required';
  reason: ReauthReason;
  message: string;
  maxAge?: number;
  authTime?: number;
  acrValues?: string[];
  reauthUrl: string;
  stepUp?: StepUpOffer;
  actionSummary?: string;
}

/** The JSON 400 body of an action-bound route (`ReauthBadActionException`). */
export interface ReauthBadActionBody {
  statusCode: 400;
  error: 'reauth_bad_action';
  reason: ReauthBadActionReason;
  message: string;
  fields?: string[];
}

/** The JSON 403 body (`ReauthForbiddenException`). */
export interface ReauthForbiddenBody {
  statusCode: 403;
  error: 'reauth_forbidden';
  reason: ReauthForbiddenReason;
  message: string;
}

/** The 503 body (`ReauthUnavailableException`). */
export interface ReauthUnavailableBody {
  statusCode: 503;
  error: 'reauth_unavailable';
  message: string;
}

type Properties<Body> = { [Field in keyof Required<Body>]: SwaggerPropertyOptions };

interface SchemaSpec<Body> {
  description: string;
  properties: Properties<Body>;
}

const statusCode = (status: number): SwaggerPropertyOptions => ({
  type: 'integer',
  required: true,
  description: `Always ${status}.`,
  enum: [status],
});

const errorCode = (error: string): SwaggerPropertyOptions => ({
  type: 'string',
  required: true,
  description: `Always \`${error}\`.`,
  enum: [error],
});

const reason = (description: string, reasons: readonly string[]): SwaggerPropertyOptions => ({
  type: 'string',
  required: true,
  description,
  enum: [...reasons],
});

const message = (example: string, readByPrograms: string): SwaggerPropertyOptions => ({
  type: 'string',
  required: true,
  description: `A sentence for people; it may change. Programs read ${readByPrograms}.`,
  example,
});

/** The JSON 401, field by field. */
export const REAUTH_REQUIRED_SCHEMA: SchemaSpec<ReauthRequiredBody> = {
  description:
    'The request needs a (more recent) sign-in. Send the user to `reauthUrl`, then retry the request.',
  properties: {
    statusCode: statusCode(401),
    error: errorCode('reauth_required'),
    reason: reason(
      'Why: `stale` (signed in, but not within the route’s max_age), `missing_auth_time` ' +
        '(the token does not say when the user signed in), `unauthenticated` (no credentials, ' +
        'or a session that has ended), `invalid_token` (a token that fails verification), ' +
        '`insufficient_assurance` (signed in recently enough, but not with the acr or amr the ' +
        'route requires).',
      REAUTH_REASONS,
    ),
    message: message('More recent authentication is required.', '`error` and `reason`'),
    maxAge: {
      type: 'integer',
      required: false,
      description:
        'The route’s max_age: how many seconds ago the sign-in may be. Absent for routes that only need a sign-in.',
      minimum: 0,
      example: 300,
    },
    authTime: {
      type: 'integer',
      required: false,
      description:
        'When the user last signed in, in seconds since the epoch; present when the token carries a plausible one.',
      example: 1735680000,
    },
    acrValues: {
      type: 'string',
      isArray: true,
      required: false,
      description:
        'The authentication context classes the route accepts (acr_values); present for routes that require one.',
    },
    reauthUrl: {
      type: 'string',
      required: true,
      format: 'uri',
      description:
        'The sign-in page to send the user to; afterwards the browser comes back to the application.',
    },
    stepUp: {
      type: Object,
      required: false,
      description:
        'How the user can confirm without leaving the page, when the route accepts that: `ticket` ' +
        '(send it back with the confirmation) and `methods`, each `{ kind: "passkey", optionsUrl, ' +
        'confirmUrl }`, `{ kind: "password", confirmUrl }` or `{ kind: "provider", url }`.',
    },
    actionSummary: {
      type: 'string',
      required: false,
      description:
        'On a route bound to one action: what the user confirms, in the route’s words (at most 200 characters). Show it as text where the user confirms.',
      example: 'Transfer 50 EUR to Bob',
    },
  },
};

/** Every `reason` of the 400 of an action-bound route. */
export const BAD_ACTION_REASONS = [
  'action_fields_missing',
  'action_summary_invalid',
] as const satisfies readonly ReauthBadActionReason[];

/** The 400 of an action-bound route, field by field. */
export const REAUTH_BAD_ACTION_SCHEMA: SchemaSpec<ReauthBadActionBody> = {
  description:
    'The request cannot be bound to an action, so it cannot be confirmed; it did not reach the handler.',
  properties: {
    statusCode: statusCode(400),
    error: errorCode('reauth_bad_action'),
    reason: reason(
      'Why: `action_fields_missing` (a bound field is absent, or not a string, number or ' +
        'boolean), `action_summary_invalid` (the action cannot be described for confirmation).',
      BAD_ACTION_REASONS,
    ),
    message: message(
      'This action is missing what identifies it, so it cannot be confirmed.',
      '`error` and `reason`',
    ),
    fields: {
      type: 'string',
      isArray: true,
      required: false,
      description: 'The bound fields that are missing or unusable.',
    },
  },
};

/** The 403, field by field. */
export const REAUTH_FORBIDDEN_SCHEMA: SchemaSpec<ReauthForbiddenBody> = {
  description:
    'The request is refused whatever the sign-in’s age: re-authenticating does not help.',
  properties: {
    statusCode: statusCode(403),
    error: errorCode('reauth_forbidden'),
    reason: reason(
      'Why: `cross_site_request` (a cookie-authenticated POST, PUT, PATCH or DELETE that did ' +
        'not come from the application’s own pages), `impersonation_not_allowed` (a token with ' +
        'an `act` claim, someone acting on the user’s behalf, on a route that needs the user’s ' +
        'own recent sign-in).',
      FORBIDDEN_REASONS,
    ),
    message: message(
      'This request must come from the application’s own pages.',
      '`error` and `reason`',
    ),
  },
};

/** The 503, field by field. */
export const REAUTH_UNAVAILABLE_SCHEMA: SchemaSpec<ReauthUnavailableBody> = {
  description:
    'Authentication could not be decided because a dependency (the identity provider, its keys or the session store) failed. Nothing was done; retry after `Retry-After` seconds.',
  properties: {
    statusCode: statusCode(503),
    error: errorCode('reauth_unavailable'),
    message: message('Authentication is temporarily unavailable. Try again shortly.', '`error`'),
  },
};

/** The schema classes, named as they appear in the document's `components.schemas`. */
export interface ReauthSchemaClasses {
  ReauthRequiredResponse: abstract new () => object;
  ReauthForbiddenResponse: abstract new () => object;
  ReauthUnavailableResponse: abstract new () => object;
  ReauthBadActionResponse: abstract new () => object;
}

export type ReauthSchemaName = keyof ReauthSchemaClasses;

const madeFor = new WeakMap<SwaggerApi, ReauthSchemaClasses>();

function decorateSchema<Body>(
  swagger: SwaggerApi,
  target: abstract new () => object,
  spec: SchemaSpec<Body>,
): void {
  swagger.ApiSchema?.({ description: spec.description })(target);
  for (const [name, options] of Object.entries<SwaggerPropertyOptions>(spec.properties)) {
    // Each call gets its own copy: `@nestjs/swagger` keeps (and may change) what it is given.
    const copy = options.enum ? { ...options, enum: [...options.enum] } : { ...options };
    swagger.ApiProperty(copy)(target.prototype as object, name);
  }
}

/**
 * The schema classes, made once for a loaded `@nestjs/swagger` (they exist only where it is
 * installed, so the library declares none of its types).
 */
export function reauthSchemaClasses(swagger: SwaggerApi): ReauthSchemaClasses {
  let classes = madeFor.get(swagger);
  if (!classes) {
    class ReauthRequiredResponse {}
    class ReauthForbiddenResponse {}
    class ReauthUnavailableResponse {}
    class ReauthBadActionResponse {}
    decorateSchema(swagger, ReauthRequiredResponse, REAUTH_REQUIRED_SCHEMA);
    decorateSchema(swagger, ReauthForbiddenResponse, REAUTH_FORBIDDEN_SCHEMA);
    decorateSchema(swagger, ReauthUnavailableResponse, REAUTH_UNAVAILABLE_SCHEMA);
    decorateSchema(swagger, ReauthBadActionResponse, REAUTH_BAD_ACTION_SCHEMA);
    classes = {
      ReauthRequiredResponse,
      ReauthForbiddenResponse,
      ReauthUnavailableResponse,
      ReauthBadActionResponse,
    };
    madeFor.set(swagger, classes);
  }
  return classes;
}
