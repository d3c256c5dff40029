import { Controller, HttpCode, Logger, Post, Req, Res } from '@nestjs/common';
import { ReauthClock } from '../core/clock';
import { ReauthUnavailableException } from '../exceptions/reauth-unavailable.exception';
import { HttpResponses } from '../http/http-responses';
import { JSON_HEADERS } from '../http/problem-page';
import type { ReauthRequest } from '../interfaces';
import { AccessTokenSettings, ProviderSignalSettings } from '../options/reauth-settings';
import {
  IdentityProvider,
  isLogoutTokenVerifier,
  type LogoutTokenVerifier,
} from '../providers/identity-provider';
import {
  LOGOUT_TOKEN_REFUSALS,
  LogoutTokenError,
  MAX_LOGOUT_TOKEN_LENGTH,
  type LogoutTokenClaims,
} from '../providers/oidc/logout-token';
import { JwksKeySet } from '../authentication/jwks-key-set';
import { ProviderSignals, type ProviderEndedSessions } from '../authentication/provider-signals';

const SIGNAL = 'oidc_backchannel_logout';

/** A form with one Logout Token fits in far less; a larger body is refused unread (413). */
export const MAX_BACKCHANNEL_LOGOUT_BODY_BYTES = 16 * 1024;

// The provider's keys, as the access token verifier keeps its own: refetched after 10 minutes,
// on an unknown kid at most every 5 s, with a backoff from 1 s to 30 s after a failed fetch.
const JWKS_TIMING = {
  maxAgeMs: 10 * 60_000,
  cooldownMs: 5_000,
  backoffMs: 1_000,
  maxBackoffMs: 30_000,
};

/** What is wrong with the request around the token, in a sentence each. */
const REQUEST_REFUSALS = Object.freeze({
  not_a_form: 'The request is not a form post (application/x-www-form-urlencoded).',
  no_token: 'The request does not carry exactly one logout_token.',
});

type Refusal = keyof typeof REQUEST_REFUSALS | LogoutTokenError['code'];

/** The answer to one delivery. */
interface Answer {
  status: 200 | 400 | 404 | 413 | 429 | 503;
  body?: { error: string; error_description?: string };
  retryAfterSeconds?: number;
}

const ACCEPTED: Answer = { status: 200 };
const NOT_FOUND: Answer = { status: 404, body: { error: 'not_found' } };
const TOO_MANY: Answer = {
  status: 429,
  body: {
    error: 'too_many_requests',
    error_description: 'Too many logout requests from this address; try again in a minute.',
  },
  retryAfterSeconds: 60,
};
const UNAVAILABLE: Answer = {
  status: 503,
  body: {
    error: 'temporarily_unavailable',
    error_description: 'The logout could not be recorded; nothing was revoked. Send it again.',
  },
  retryAfterSeconds: 5,
};

/**
 * `POST <routes.backchannelLogout>` (default `/auth/backchannel-logout`): OpenID Connect
 * Back-Channel Logout 1.0. The OpenID Provider posts a Logout Token (`logout_token`, a form
 * field) when a session ends there; once the token is verified (see `logout-token.ts`) and its
 * `jti` was not seen before, the session it names (`sid`) ends here too, on every instance, with
 * its step-up proofs; a token naming only a user (`sub`) ends every session of the user signed
 * in before the token was issued. Answers as §2.8 asks: 200 with an empty body, or 400 with an
 * OAuth error naming the reason; every answer `Cache-Control: no-store`. A body over 16 KB is
 * 413, a flood from one address 429 (`providerSignals.perAddressPerMinute`), a store or a
 * provider that does not answer 503 (nothing revoked: the provider may send the token again).
 * The route is not there (404) unless the provider is an OpenID Provider and
 * `providerSignals.backchannelLogout` is on. Neither a token nor a claim is ever logged or
 * answered.
 */
@Controller()
export class BackchannelLogoutController {
  private readonly logger = new Logger('ReauthModule');
  private readonly keys: JwksKeySet;
  private warnedOfUserLogout = false;

  constructor(
    protected readonly provider: IdentityProvider,
    protected readonly signals: ProviderSignals,
    protected readonly settings: ProviderSignalSettings,
    protected readonly responses: HttpResponses,
    protected readonly clock: ReauthClock,
    tokens: AccessTokenSettings,
  ) {
    this.keys = new JwksKeySet({
      url: async () => (await provider.verification()).jwksUrl,
      timeoutMs: tokens.jwksTimeoutMs,
      nowMs: () => clock.now(),
      ...JWKS_TIMING,
    });
  }

  @Post()
  @HttpCode(200)
  async logout(@Req() request: ReauthRequest, @Res() response: unknown): Promise<void> {
    const verifier = this.verifier();
    const answer = verifier === undefined ? NOT_FOUND : await this.answer(request, verifier);
    this.responses.setHeaders(response, JSON_HEADERS);
    if (answer.retryAfterSeconds !== undefined) {
      this.responses.setHeaders(response, { 'Retry-After': String(answer.retryAfterSeconds) });
    }
    if (answer.body === undefined) this.responses.empty(response, answer.status);
    else this.responses.json(response, answer.status, answer.body);
  }

  /** The provider, when it takes Logout Tokens and the app has the route on. */
  protected verifier(): LogoutTokenVerifier | undefined {
    if (!this.settings.providerSignals.backchannelLogout) return undefined;
    return isLogoutTokenVerifier(this.provider) ? this.provider : undefined;
  }

  private async answer(request: ReauthRequest, verifier: LogoutTokenVerifier): Promise<Answer> {
    if (bodyLength(request) > MAX_BACKCHANNEL_LOGOUT_BODY_BYTES) return this.refuse('too_large');
    try {
      const address = this.settings.clientAddress(request);
      if (address !== undefined && !(await this.signals.withinLimit(SIGNAL, address))) {
        this.signals.refused(SIGNAL, 'too_many_requests');
        return TOO_MANY;
      }
      const token = logoutTokenOf(request);
      if (typeof token !== 'string') return this.refuse(token.refusal);
      const claims = await verifier.verifyLogoutToken(token, (kid, alg) => this.keyFor(kid, alg));
      const ttl = claims.acceptedUntil - this.clock.nowSeconds() + 1;
      // A retry after a failed end is not a replay: endOnce releases the jti it could not act on.
      if (!(await this.signals.endOnce(claims.jti, ttl, this.ended(claims)))) {
        return this.refuse('replayed');
      }
      return ACCEPTED;
    } catch (error) {
      if (error instanceof LogoutTokenError) return this.refuse(error.code);
      if (!(error instanceof ReauthUnavailableException)) throw error;
      this.signals.refused(SIGNAL, `${error.dependency}_unavailable`);
      return UNAVAILABLE;
    }
  }

  /** What the token ends: its session, else every session of its user signed in before it. */
  private ended(claims: LogoutTokenClaims): ProviderEndedSessions {
    if (claims.sid !== undefined) return { signal: SIGNAL, sessionIds: [claims.sid] };
    if (!this.warnedOfUserLogout) {
      this.warnedOfUserLogout = true;
      this.logger.warn(
        'A Logout Token named a user but no session (sid): every session of the user signed in before it ends. Register the client with backchannel_logout_session_required: true to end one session at a time',
      );
    }
    return { signal: SIGNAL, user: { id: claims.sub!, before: Math.floor(claims.iat) } };
  }

  private async keyFor(kid: string, alg: string) {
    return this.keys.current(kid, alg) ?? this.keys.get(kid, alg);
  }

  private refuse(code: Refusal): Answer {
    this.signals.refused(SIGNAL, code);
    const sentence =
      code in REQUEST_REFUSALS
        ? REQUEST_REFUSALS[code as keyof typeof REQUEST_REFUSALS]
        : LOGOUT_TOKEN_REFUSALS[code as LogoutTokenError['code']];
    return {
      status: code === 'too_large' ? 413 : 400,
      body: { error: 'invalid_request', error_description: `${sentence} (${code})` },
    };
  }
}

/** The body's declared length; 0 when it declares none (a parser then read it within its limit). */
function bodyLength(request: ReauthRequest): number {
  const declared = Number(request.headers['content-length']);
  return Number.isFinite(declared) ? declared : 0;
}

/** The one `logout_token` of a form post, or why there is none. */
function logoutTokenOf(
  request: ReauthRequest,
): string | { refusal: 'not_a_form' | 'no_token' | 'too_large' } {
  const type = request.headers['content-type'];
  if (typeof type !== 'string' || type.split(';')[0].trim().toLowerCase() !== FORM_TYPE) {
    return { refusal: 'not_a_form' };
  }
  const body = request.body;
  if (typeof body !== 'object' || body === null) return { refusal: 'no_token' };
  const token = (body as Record<string, unknown>).logout_token;
  if (typeof token !== 'string' || token === '') return { refusal: 'no_token' };
  if (token.length > MAX_LOGOUT_TOKEN_LENGTH) return { refusal: 'too_large' };
  return token;
}

const FORM_TYPE = 'application/x-www-form-urlencoded';
