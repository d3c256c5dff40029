import { Logger } from '@nestjs/common';
import { decodeJwt } from 'jose';
import { createHash, randomBytes } from 'node:crypto';
import type { ReauthOidcOptions } from 'nest-workos-reauth';
import {
  ProviderRejectedError,
  type BoundActionRequest,
  type IdentityProvider,
  type IssuedSession,
} from '../../libs/reauth/src/providers/identity-provider';
import { createOidcProvider } from '../../libs/reauth/src/providers/oidc/oidc.options';
import { HttpBrowser } from '../support/http-browser';
import {
  OIDC_USERS,
  signInAtOidcProvider,
  startOidcProvider,
  type OidcTestProvider,
  type OidcTestProviderOptions,
} from '../support/oidc-provider';

/**
 * RFC 9396 Rich Authorization Requests at a real OpenID Provider (panva's oidc-provider): the
 * library's OpenID Connect provider sends a bound action as `authorization_details` where
 * discovery lists its type, and reads back from the token response that the user authorized it.
 */

// Never served: the sign-in stops at the redirect to it.
const REDIRECT_URI = 'http://127.0.0.1:9/auth/callback';
const ALICE = { username: 'alice', password: OIDC_USERS.alice.password };

const ACTION: BoundActionRequest = {
  digest: createHash('sha256').update('POST /transfers 42').digest('base64url'),
  summary: 'Transfer 120.50 EUR to account DE02 1001 0010 9307 1186 03',
  fields: { amount: 120.5, currency: 'EUR', to: 'DE02100100109307118603', instant: true },
};
const EXPECTED_DETAILS = [
  {
    type: 'step_up_action',
    identifier: ACTION.digest,
    summary: ACTION.summary,
    fields: ACTION.fields,
  },
];

/** The library's OpenID Connect provider for `oidc`, as the module builds it. */
function libraryProvider(
  oidc: OidcTestProvider,
  options: Partial<ReauthOidcOptions> = {},
): IdentityProvider {
  return createOidcProvider(
    { issuer: oidc.issuer, clientSecret: oidc.clientSecret, audience: oidc.resource, ...options },
    { clientId: oidc.clientId, redirectUri: REDIRECT_URI, cookiePassword: 'p'.repeat(32) },
    {
      clientId: oidc.clientId,
      redirectUri: REDIRECT_URI,
      cookiePassword: 'p'.repeat(32),
      clockToleranceSeconds: 5,
      nowMs: () => oidc.now(),
      cookieMaxAgeSeconds: 3600,
    },
  );
}

/** A re-authentication (`max_age` 0) through the provider's pages, up to the callback's query. */
async function reauthenticate(
  provider: IdentityProvider,
  oidc: OidcTestProvider,
  boundAction?: BoundActionRequest,
) {
  const codeVerifier = randomBytes(32).toString('base64url');
  const nonce = randomBytes(16).toString('base64url');
  const authorizationUrl = await provider.authorizationUrl({
    state: 'state-1',
    codeChallenge: createHash('sha256').update(codeVerifier).digest('base64url'),
    nonce,
    maxAge: 0,
    boundAction,
  });
  const callback = new URL(
    await signInAtOidcProvider(new HttpBrowser(), authorizationUrl, ALICE, {
      redirectUri: REDIRECT_URI,
    }),
  );
  return {
    sent: new URL(authorizationUrl).searchParams,
    received: await oidc.lastAuthorizationRequest(),
    callbackQuery: callback.searchParams,
    redeem: (action: BoundActionRequest | undefined = boundAction): Promise<IssuedSession> =>
      provider.redeemCode({
        code: callback.searchParams.get('code')!,
        codeVerifier,
        nonce,
        maxAge: 0,
        callbackQuery: callback.searchParams,
        boundAction: action,
      }),
  };
}

async function discovery(oidc: OidcTestProvider): Promise<Record<string, unknown>> {
  const res = await fetch(new URL('/.well-known/openid-configuration', oidc.issuer));
  return (await res.json()) as Record<string, unknown>;
}

function startProvider(options: Partial<OidcTestProviderOptions> = {}): Promise<OidcTestProvider> {
  return startOidcProvider({ redirectUris: [REDIRECT_URI], ...options });
}

describe('Rich Authorization Requests at an OpenID Provider that supports the type', () => {
  let oidc: OidcTestProvider;
  let warnings: jest.SpyInstance;

  beforeAll(async () => {
    oidc = await startProvider({ richAuthorizationRequests: true });
  });
  afterAll(() => oidc.stop());
  beforeEach(async () => {
    await oidc.reset();
    warnings = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warnings.mockRestore());

  it('advertises the type in discovery', async () => {
    expect(await discovery(oidc)).toMatchObject({
      authorization_details_types_supported: ['step_up_action'],
    });
  });

  it('sends the bound action, which the provider shows and returns in the token response', async () => {
    const signIn = await reauthenticate(libraryProvider(oidc), oidc, ACTION);

    expect(JSON.parse(signIn.sent.get('authorization_details')!)).toEqual(EXPECTED_DETAILS);
    expect(signIn.received.authorization_details).toBe(signIn.sent.get('authorization_details'));
    // Accepted: validated against the registered type, shown at the consent prompt, a code issued.
    expect(signIn.callbackQuery.get('error_description')).toBeNull();
    expect(signIn.callbackQuery.has('code')).toBe(true);
    expect(await oidc.lastConsent()).toEqual(EXPECTED_DETAILS);

    const session = await signIn.redeem();
    expect(session.signIn?.authorizationDetails).toEqual(EXPECTED_DETAILS);
    // oidc-provider puts them in the JWT access token too, never in the ID token.
    expect(decodeJwt(session.accessToken).authorization_details).toEqual(EXPECTED_DETAILS);
    expect(decodeJwt(session.idToken!).authorization_details).toBeUndefined();
    expect(warnings).not.toHaveBeenCalled();
  });

  it('sends nothing for a re-authentication without a bound action', async () => {
    const signIn = await reauthenticate(libraryProvider(oidc), oidc);
    expect(signIn.sent.has('authorization_details')).toBe(false);
    expect(await oidc.lastConsent()).toBeNull();
    const session = await signIn.redeem();
    expect(session.signIn?.authorizationDetails).toBeUndefined();
    expect(session.signIn?.authTime).toEqual(expect.any(Number));
  });

  it.each([
    ['omits authorization_details', 'omit'],
    ['changes their identifier', 'alter'],
  ] as const)('refuses the sign-in when the token response %s', async (_label, mode) => {
    await oidc.authorizationDetailsResponse(mode);
    const signIn = await reauthenticate(libraryProvider(oidc), oidc, ACTION);
    expect(signIn.sent.has('authorization_details')).toBe(true);

    const refusal = await signIn.redeem().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(ProviderRejectedError);
    expect(refusal).toMatchObject({ code: 'invalid_response' });
    expect(String((refusal as Error).cause)).toContain(
      'authorization_details have no entry of type "step_up_action" with the bound action\'s identifier',
    );
    expect(warnings).toHaveBeenCalledWith(
      expect.stringContaining('The OpenID Provider did not confirm the bound action'),
    );
  });

  it('sends nothing, and asks nothing back, for a type the provider does not list', async () => {
    const provider = libraryProvider(oidc, { authorizationDetailsType: 'urn:example:other' });
    const signIn = await reauthenticate(provider, oidc, ACTION);
    expect(signIn.sent.has('authorization_details')).toBe(false);
    const session = await signIn.redeem();
    expect(session.signIn?.authorizationDetails).toBeUndefined();
  });

  it('is refused by the provider when the summary passes the registered 200 characters', async () => {
    const signIn = await reauthenticate(libraryProvider(oidc), oidc, {
      ...ACTION,
      summary: 'x'.repeat(201),
    });
    expect(signIn.callbackQuery.get('error')).toBe('invalid_authorization_details');
    expect(signIn.callbackQuery.get('error_description')).toBe(
      "'summary' must be a string of at most 200 characters",
    );
  });
});

describe('Rich Authorization Requests at an OpenID Provider without them', () => {
  let oidc: OidcTestProvider;

  beforeAll(async () => {
    oidc = await startProvider();
  });
  afterAll(() => oidc.stop());

  it('sends nothing, and the sign-in of a bound action works as any other', async () => {
    expect(await discovery(oidc)).not.toHaveProperty('authorization_details_types_supported');
    const signIn = await reauthenticate(libraryProvider(oidc), oidc, ACTION);
    expect(signIn.sent.has('authorization_details')).toBe(false);
    expect(signIn.received).not.toHaveProperty('authorization_details');
    const session = await signIn.redeem();
    expect(session.signIn?.authorizationDetails).toBeUndefined();
    expect(decodeJwt(session.accessToken).sub).toBe(OIDC_USERS.alice.sub);
  });
});
