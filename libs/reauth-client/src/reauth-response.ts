import { findStepUpChallenge, type StepUpChallenge } from './challenge.js';
import { REAUTH_REQUIRED_ERROR, REAUTH_REQUIRED_GRAPHQL_CODE } from './protocol.js';
import type { GraphQLErrorsOption } from './reauth-fetch.js';
import { absoluteHttpUrl, isRecord } from './values.js';

/** What our JSON 401 body (or a GraphQL error's `extensions`) says about the re-authentication. */
export interface ReauthBody {
  error?: unknown;
  reason?: unknown;
  maxAge?: unknown;
  acrValues?: unknown;
  reauthUrl?: unknown;
  /** The ways to confirm in the page (`{ ticket, methods }`), when the server offers any. */
  stepUp?: unknown;
  /** What the user confirms, when the route is bound to one action. */
  actionSummary?: unknown;
}

/** A response that asks for re-authentication, as {@link readReauthResponse} reads it. */
export interface ReauthResponse {
  challenge?: StepUpChallenge;
  body?: ReauthBody;
  /** The body is a GraphQL error's `extensions`. */
  graphql?: boolean;
  /** The whole JSON of the response, when it had one. */
  json?: unknown;
}

export function validMaxAge(value: unknown): number | undefined {
  return Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : undefined;
}

/** The longest action summary taken from a response, in characters (the server's own limit). */
const MAX_ACTION_SUMMARY_LENGTH = 200;

/** A bound action's summary: a non-blank string of at most 200 characters, else `undefined`. */
export function validActionSummary(value: unknown): string | undefined {
  return typeof value === 'string' &&
    value.trim() !== '' &&
    value.length <= MAX_ACTION_SUMMARY_LENGTH
    ? value
    : undefined;
}

/**
 * The first GraphQL error of a response body (one result, or a batch of them) that asks for
 * re-authentication with a usable `reauthUrl`, as a body the rest of the helper reads.
 */
function graphqlReauthError(json: unknown): ReauthBody | undefined {
  for (const result of Array.isArray(json) ? (json as unknown[]) : [json]) {
    const errors = isRecord(result) ? result.errors : undefined;
    if (!Array.isArray(errors)) continue;
    for (const error of errors as unknown[]) {
      const extensions = isRecord(error) ? error.extensions : undefined;
      if (
        isRecord(extensions) &&
        extensions.code === REAUTH_REQUIRED_GRAPHQL_CODE &&
        absoluteHttpUrl(extensions.reauthUrl)
      ) {
        const { reason, maxAge, acrValues, reauthUrl, stepUp, actionSummary } = extensions;
        return {
          error: REAUTH_REQUIRED_ERROR,
          reason,
          maxAge,
          acrValues,
          reauthUrl,
          stepUp,
          actionSummary,
        };
      }
    }
  }
  return undefined;
}

/**
 * The challenge and body of a response that asks for re-authentication, else `undefined`: a
 * 401 with the step-up challenge or our JSON body, or (per `graphqlErrors`) a GraphQL error
 * `REAUTH_REQUIRED` with a `reauthUrl`, whatever the status.
 */
export async function readReauthResponse(
  response: Response,
  graphqlErrors: GraphQLErrorsOption,
): Promise<ReauthResponse | undefined> {
  const header = response.headers.get('www-authenticate');
  const unauthorized = response.status === 401;
  const lookForGraphQL =
    graphqlErrors === 'always' ||
    (graphqlErrors === 'challenged' && (unauthorized || header !== null));
  if (!unauthorized && !lookForGraphQL) return undefined;
  const challenge = findStepUpChallenge(header);
  let json: unknown;
  if (/\bjson\b/i.test(response.headers.get('content-type') ?? '')) {
    try {
      json = await response.clone().json();
    } catch {
      json = undefined;
    }
  }
  const body = isRecord(json) ? (json as ReauthBody) : undefined;
  if (unauthorized && body?.error === REAUTH_REQUIRED_ERROR) return { challenge, body };
  const graphql = lookForGraphQL ? graphqlReauthError(json) : undefined;
  if (graphql) return { challenge, body: graphql, graphql: true, json };
  if (unauthorized && challenge) return { challenge, body };
  return undefined;
}
