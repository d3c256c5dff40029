import { applyDecorators, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { isValidAssuranceList, isValidMaxAge } from '../core';
import type { ReauthRequest } from '../interfaces';
import { DocumentReauthResponses } from '../openapi';
import { RECENT_AUTH_METADATA_KEY } from '../core/constants';
import { ROUTE_CHECK } from './route-check';
import type {
  ActionBinding,
  BoundValue,
  RecentAuthRequirement,
} from '../interfaces/route-requirement.interface';

export type {
  ActionBinding,
  BoundValue,
  RecentAuthRequirement,
} from '../interfaces/route-requirement.interface';

/** Options of {@link RequireRecentAuth}. */
export interface RequireRecentAuthOptions {
  /**
   * Captures the in-progress action from the request that needs re-authentication (e.g. the
   * submitted form), to hand back after the callback through `ReauthService.takeRestoredAction`.
   * A JSON value of at most 2 KB.
   */
  action?: (request: ReauthRequest & { body?: unknown }) => unknown;
  /**
   * Lets cookie-authenticated `POST`, `PUT`, `PATCH` and `DELETE` requests from other sites
   * reach this route (the module's `allowCrossOrigin` for one route). Only for routes with CSRF
   * protection of their own.
   */
  allowCrossOrigin?: boolean;
  /** Lets tokens with an `act` claim through (the module's `allowImpersonation` for one route). */
  allowImpersonation?: boolean;
  /**
   * Step-up by assurance level (RFC 9470): the sign-in must also have satisfied one of these
   * authentication context classes (`acr`), e.g. `['urn:example:loa:2']`. The challenge, the
   * JSON 401 and the authorization URL carry them as `acr_values`; a sign-in whose `acr` is not
   * one of them fails at the callback instead of looping. AuthKit issues no `acr`.
   */
  acr?: string[];
  /**
   * The sign-in must also have used at least one of these authentication methods (`amr`, RFC
   * 8176), e.g. `['mfa']` or `['otp', 'hwk']`: "a second factor within `maxAge`". For providers
   * that put `amr` in their tokens (or ID tokens); there is no standard way to ask for a method,
   * so pair it with an `acr` the provider maps to it where it has one.
   */
  amr?: string[];
  /**
   * Which confirmations inside the page satisfy this route besides a sign-in at the provider
   * (see the module's `stepUp` option): `['passkey']`, `['password']`, both (the default: every
   * method the module enables), or `[]` for the provider only. A proof counts for `maxAge`
   * seconds like a sign-in; with `amr`, it must have shown one of those methods (a passkey shows
   * `hwk` or `swk`, `user` and `mfa`; a password `pwd`, with `otp` and `mfa` after a code).
   */
  methods?: ('passkey' | 'password')[];
  /**
   * Binds the confirmation to this one action (e.g. a transfer's amount and payee): the route
   * becomes one-time (its `maxAge` or level must be `0`), and a confirmation counts only for a
   * request whose method, route and these body `fields` are the same as those of the refused
   * request, once. `summary` says what is confirmed in words the user checks: it is shown in the
   * dialog and on the library's pages, and sent to OpenID providers that accept RFC 9396
   * `authorization_details`. A request without the fields (or with values that are not strings,
   * numbers or booleans) gets a 400; so does a summary over 200 characters.
   *
   * @example
   * ```ts
   * @Post('transfer')
   * @RequireRecentAuth(0, {
   *   bind: {
   *     fields: ['amount', 'payee'],
   *     summary: ({ amount, payee }) => `Transfer ${amount} EUR to ${payee}`,
   *   },
   * })
   * transfer(@Body() dto: TransferDto) { ... }
   * ```
   */
  bind?: {
    fields: string[];
    summary: (fields: Readonly<Record<string, BoundValue>>) => string;
  };
  /**
   * `false` leaves the route's re-authentication responses out of the OpenAPI document. When
   * `@nestjs/swagger` is installed, the decorator adds them by default: the JSON 401 with its
   * `WWW-Authenticate` header, the 403 where it can happen and the 503 with `Retry-After`.
   */
  openapi?: boolean;
}

/** Options of {@link RequireSignIn}. */
export interface RequireSignInOptions {
  /** As for {@link RequireRecentAuthOptions.allowCrossOrigin}. */
  allowCrossOrigin?: boolean;
  /** As for {@link RequireRecentAuthOptions.openapi}. */
  openapi?: boolean;
}

function checkAssurance(options: object, name: 'acr' | 'amr'): readonly string[] | undefined {
  const value = (options as Record<string, unknown>)[name];
  if (value === undefined) return undefined;
  if (!isValidAssuranceList(value)) {
    throw new TypeError(
      `@RequireRecentAuth(): options.${name} must be an array of 1 to 10 distinct values without spaces or quotes`,
    );
  }
  return Object.freeze([...value]);
}

/**
 * The requirement's metadata, the guard that refuses the route unless the library's check passed
 * (so a forgotten `ReauthModule` fails closed), and the OpenAPI responses unless `openapi` is
 * `false`.
 */
function checkMethods(options: object): readonly ('passkey' | 'password')[] | undefined {
  const value = (options as Record<string, unknown>).methods;
  if (value === undefined) return undefined;
  if (
    !Array.isArray(value) ||
    new Set(value).size !== value.length ||
    value.some((method) => method !== 'passkey' && method !== 'password')
  ) {
    throw new TypeError(
      "@RequireRecentAuth(): options.methods must be an array of distinct 'passkey' and 'password'",
    );
  }
  return Object.freeze([...(value as ('passkey' | 'password')[])]);
}

function requirementDecorator(
  requirement: RecentAuthRequirement,
  openapi: boolean | undefined,
): MethodDecorator & ClassDecorator {
  const locked = [RecentAuthMetadata(requirement), UseGuards(ROUTE_CHECK)];
  return openapi === false
    ? applyDecorators(...locked)
    : applyDecorators(...locked, DocumentReauthResponses(requirement));
}

function checkBoolean(decorator: string, options: object, name: string): boolean | undefined {
  const value = (options as Record<string, unknown>)[name];
  if (value !== undefined && typeof value !== 'boolean') {
    throw new TypeError(`${decorator}: options.${name} must be a boolean`);
  }
  return value;
}

/** The metadata decorator; read it with `reflector.getAllAndOverride(RecentAuthMetadata, ...)`. */
export const RecentAuthMetadata = Reflector.createDecorator<RecentAuthRequirement>({
  key: RECENT_AUTH_METADATA_KEY,
});

const LEVEL_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
const BIND_FIELD = /^[A-Za-z0-9_$-]{1,64}$/;

function checkBind(options: object): ActionBinding | undefined {
  const value = (options as Record<string, unknown>).bind;
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError('@RequireRecentAuth(): options.bind must be an object');
  }
  const { fields, summary } = value as Record<string, unknown>;
  if (
    !Array.isArray(fields) ||
    fields.length === 0 ||
    fields.length > 10 ||
    new Set(fields).size !== fields.length ||
    // `__proto__` would be dropped from the fields the digest commits to (an assignment to it
    // sets a prototype), so any value of it would confirm the same action.
    fields.some(
      (field) => typeof field !== 'string' || !BIND_FIELD.test(field) || field === '__proto__',
    )
  ) {
    throw new TypeError(
      '@RequireRecentAuth(): options.bind.fields must be an array of 1 to 10 distinct body field names',
    );
  }
  if (typeof summary !== 'function') {
    throw new TypeError('@RequireRecentAuth(): options.bind.summary must be a function');
  }
  return Object.freeze({
    fields: Object.freeze([...(fields as string[])]),
    summary: summary as ActionBinding['summary'],
  });
}

/**
 * Lets a handler (or every handler of a controller) run only when the user actively signed in
 * within `maxAgeSeconds`. A handler's own decorator wins over its controller's.
 *
 * Instead of a number, the name of one of the module's `levels` (`@RequireRecentAuth('strict')`)
 * applies that level; without one (`@RequireRecentAuth()`, or options only), the module's
 * `defaultLevel`. A level the module does not define stops the app at start-up, naming the
 * handler. With a level, `acr`, `amr` and `methods` come from the level alone.
 *
 * `0` means "sign in again for this action, every time": the request is let through only with
 * the one-time grant that completing a re-authentication for this very route leaves, within
 * `zeroMaxAgeGrantSeconds` (default 300) and for the same AuthKit session; each grant lets one
 * request through. Values from 1 to 59 work but log a warning at start-up: users find them
 * frustrating.
 *
 * @throws TypeError at decoration time (so at start-up) unless `maxAgeSeconds` is an integer
 * from 0 to 10 years (or a level name), or when options contradict it.
 *
 * @example
 * ```ts
 * @Delete('projects/:id')
 * @RequireRecentAuth('strict')
 * deleteProject(@Param('id') id: string) { ... }
 *
 * @Post('email')
 * @RequireRecentAuth(300, { action: (req) => ({ email: (req.body as { email?: string }).email }) })
 * changeEmail(@Body() dto: ChangeEmailDto) { ... }
 * ```
 */
export function RequireRecentAuth(
  maxAgeOrLevel?: number | string | RequireRecentAuthOptions,
  options: RequireRecentAuthOptions = {},
): MethodDecorator & ClassDecorator {
  if (Array.isArray(maxAgeOrLevel)) {
    throw new TypeError(
      '@RequireRecentAuth(): maxAgeSeconds must be an integer number of seconds from 0 to 10 years, a level name or options',
    );
  }
  if (typeof maxAgeOrLevel === 'object' && maxAgeOrLevel !== null) {
    return RequireRecentAuth(undefined, maxAgeOrLevel);
  }
  let maxAge: number | undefined;
  let level: string | undefined;
  if (typeof maxAgeOrLevel === 'string') {
    if (!LEVEL_NAME.test(maxAgeOrLevel)) {
      throw new TypeError(
        `@RequireRecentAuth(): a level name must be 1 to 64 letters, digits or _.:-, got ${JSON.stringify(maxAgeOrLevel.slice(0, 80))}`,
      );
    }
    level = maxAgeOrLevel;
  } else if (maxAgeOrLevel !== undefined) {
    if (!isValidMaxAge(maxAgeOrLevel)) {
      throw new TypeError(
        `@RequireRecentAuth(): maxAgeSeconds must be an integer number of seconds from 0 to 10 years, got ${String(maxAgeOrLevel)}`,
      );
    }
    maxAge = maxAgeOrLevel;
  }
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('@RequireRecentAuth(): options must be an object');
  }
  if (maxAge === undefined) {
    for (const name of ['acr', 'amr', 'methods'] as const) {
      if (options[name] !== undefined) {
        throw new TypeError(
          `@RequireRecentAuth(): options.${name} cannot be combined with a level: the level says which ${name} it accepts (define another level)`,
        );
      }
    }
  }
  const bind = checkBind(options);
  if (bind && maxAge !== undefined && maxAge !== 0) {
    throw new TypeError(
      `@RequireRecentAuth(): options.bind makes the route one-time, so maxAgeSeconds must be 0, got ${maxAge}`,
    );
  }
  if (options.action !== undefined && typeof options.action !== 'function') {
    throw new TypeError('@RequireRecentAuth(): options.action must be a function');
  }
  return requirementDecorator(
    {
      ...(maxAge === undefined ? {} : { maxAge }),
      ...(level === undefined ? {} : { level }),
      ...(bind === undefined ? {} : { bind }),
      action: options.action ?? (bind ? boundFieldsOf(bind) : undefined),
      allowCrossOrigin: checkBoolean('@RequireRecentAuth()', options, 'allowCrossOrigin'),
      allowImpersonation: checkBoolean('@RequireRecentAuth()', options, 'allowImpersonation'),
      acr: checkAssurance(options, 'acr'),
      amr: checkAssurance(options, 'amr'),
      methods: checkMethods(options),
    },
    checkBoolean('@RequireRecentAuth()', options, 'openapi'),
  );
}

/**
 * What a bound route carries through a redirect by default: its bound fields, as the request
 * sent them, so the restored form is the action the user confirmed.
 */
function boundFieldsOf(bind: ActionBinding): (request: { body?: unknown }) => unknown {
  return (request) => {
    const body = request.body;
    if (typeof body !== 'object' || body === null) return undefined;
    const fields: Record<string, unknown> = {};
    for (const field of bind.fields) {
      // Only the body's own fields, as the digest reads them.
      if (Object.hasOwn(body, field)) fields[field] = (body as Record<string, unknown>)[field];
    }
    return fields;
  };
}

/**
 * Lets a handler (or controller) run only for a signed-in user, however long ago they signed
 * in. Unauthenticated browsers are sent to sign in; API clients get the JSON 401.
 *
 * @example
 * ```ts
 * @Get('account')
 * @RequireSignIn()
 * account(@AuthClaims() claims: AuthKitClaims) { ... }
 * ```
 */
export function RequireSignIn(
  options: RequireSignInOptions = {},
): MethodDecorator & ClassDecorator {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('@RequireSignIn(): options must be an object');
  }
  return requirementDecorator(
    {
      maxAge: null,
      allowCrossOrigin: checkBoolean('@RequireSignIn()', options, 'allowCrossOrigin'),
    },
    checkBoolean('@RequireSignIn()', options, 'openapi'),
  );
}
