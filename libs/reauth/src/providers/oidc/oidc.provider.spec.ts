import type { ReauthOidcOptions } from '../../interfaces';
import { resolveReauthSetup } from '../../options/reauth.options';
import { Logger } from '@nestjs/common';
import type { AuthorizationRequest, BoundActionRequest } from '../identity-provider';
import { LoopbackServer } from '../loopback-server.spec.helper';
import { MAX_AUTHORIZATION_DETAILS_BYTES } from './oidc-authorization-details';
import { SIGN_IN_MAX_AGE_SECONDS } from './oidc-sign-in';
import { signCompact, testKeyPair } from '../../crypto/test-keys.spec.helper';
import { BACKCHANNEL_LOGOUT_EVENT, type SigningKeyLookup } from './logout-token';
import type { OidcIdentityProvider } from './oidc.provider';

/** An issuer on the loopback interface that serves the discovery document the test sets. */
class LocalIssuer {
  metadata: Record<string, unknown> = {};

  private constructor(private readonly server: LoopbackServer) {}

  get url(): string {
    return this.server.url;
  }

  static async start(): Promise<LocalIssuer> {
    const handle: { issuer?: LocalIssuer } = {};
    const server = await LoopbackServer.start((req, res) => {
      if (req.url !== '/.well-known/openid-configuration') {
        res.writeHead(404).end();
        return;
      }
      const { url, metadata } = handle.issuer!;
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          issuer: url,
          authorization_endpoint: `${url}/authorize`,
          token_endpoint: `${url}/token`,
          jwks_uri: `${url}/jwks`,
          ...metadata,
        }),
      );
    });
    return (handle.issuer = new LocalIssuer(server));
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

const REQUEST: AuthorizationRequest = {
  state: 'sealed-state',
  codeChallenge: 'c'.repeat(43),
  nonce: 'n'.repeat(22),
};

describe('OidcIdentityProvider', () => {
  let issuer: LocalIssuer;

  beforeAll(async () => {
    issuer = await LocalIssuer.start();
  });
  afterAll(() => issuer.close());
  beforeEach(() => {
    issuer.metadata = {};
  });

  const providerWith = (oidc: Partial<ReauthOidcOptions> = {}) =>
    resolveReauthSetup({
      clientId: 'client_x',
      redirectUri: 'https://app.example/auth/callback',
      cookiePassword: 'p'.repeat(32),
      oidc: { issuer: issuer.url, clientSecret: 's', ...oidc },
    }).provider;

  /** The parameters of the authorization URL the provider builds for `request`. */
  const paramsOf = async (
    oidc: Partial<ReauthOidcOptions> = {},
    request: Partial<AuthorizationRequest> = {},
  ) => {
    const url = new URL(await providerWith(oidc).authorizationUrl({ ...REQUEST, ...request }));
    expect(`${url.origin}${url.pathname}`).toBe(`${issuer.url}/authorize`);
    return url.searchParams;
  };

  describe('auth_time for a sign-in', () => {
    it('asks with max_age where the provider has no claims parameter', async () => {
      for (const claimsParameterSupported of [undefined, false, 'true']) {
        issuer.metadata = { claims_parameter_supported: claimsParameterSupported };
        const params = await paramsOf();
        expect(params.get('max_age')).toBe(String(SIGN_IN_MAX_AGE_SECONDS));
        expect(params.has('claims')).toBe(false);
      }
    });

    it('asks with the claims parameter where discovery says the provider supports it', async () => {
      issuer.metadata = { claims_parameter_supported: true };
      const params = await paramsOf();
      expect(params.has('max_age')).toBe(false);
      expect(JSON.parse(params.get('claims')!)).toEqual({
        id_token: { auth_time: { essential: true } },
      });
    });

    it('keeps the app’s own claims request, with auth_time added where it asks that way', async () => {
      const claims = JSON.stringify({ userinfo: { email: null } });
      const withClaims = { authorizationParams: { claims } };
      issuer.metadata = { claims_parameter_supported: true };
      expect(JSON.parse((await paramsOf(withClaims)).get('claims')!)).toEqual({
        userinfo: { email: null },
        id_token: { auth_time: { essential: true } },
      });
      expect((await paramsOf(withClaims, { maxAge: 300 })).get('claims')).toBe(claims);
      issuer.metadata = {};
      const params = await paramsOf(withClaims);
      expect(params.get('claims')).toBe(claims);
      expect(params.get('max_age')).toBe(String(SIGN_IN_MAX_AGE_SECONDS));
    });

    it.each([true, false])(
      'sends a re-authentication’s own max_age (claims parameter: %p)',
      async (claimsParameterSupported) => {
        issuer.metadata = { claims_parameter_supported: claimsParameterSupported };
        const params = await paramsOf({}, { maxAge: 300 });
        expect(params.get('max_age')).toBe('300');
        expect(params.has('claims')).toBe(false);
      },
    );
  });

  describe('offline_access and consent', () => {
    it('asks for offline_access with prompt=consent by default at an issuer of no known family', async () => {
      const params = await paramsOf();
      expect(params.get('scope')).toBe('openid profile email offline_access');
      expect(params.get('prompt')).toBe('consent');
      expect((await paramsOf({}, { maxAge: 0 })).get('prompt')).toBe('login consent');
    });

    it('sends no prompt with consentPrompt "never"', async () => {
      const params = await paramsOf({ consentPrompt: 'never' });
      expect(params.get('scope')).toBe('openid profile email offline_access');
      expect(params.has('prompt')).toBe(false);
      expect((await paramsOf({ consentPrompt: 'never' }, { maxAge: 0 })).get('prompt')).toBe(
        'login',
      );
    });

    it('asks for consent only with offline_access, unless "always"', async () => {
      const scope = 'openid email';
      expect((await paramsOf({ scope })).has('prompt')).toBe(false);
      expect((await paramsOf({ scope, consentPrompt: 'offline_access' })).has('prompt')).toBe(
        false,
      );
      expect((await paramsOf({ scope, consentPrompt: 'always' })).get('prompt')).toBe('consent');
    });

    it('leaves the default scope’s offline_access out where discovery lists scopes without it', async () => {
      issuer.metadata = { scopes_supported: ['openid', 'email', 'profile'] };
      const params = await paramsOf();
      expect(params.get('scope')).toBe('openid profile email');
      expect(params.has('prompt')).toBe(false);
      // A scope the app chose is its own.
      const chosen = await paramsOf({ scope: 'openid email offline_access' });
      expect(chosen.get('scope')).toBe('openid email offline_access');
      expect(chosen.get('prompt')).toBe('consent');
    });
  });

  describe('a bound action (RFC 9396 authorization_details)', () => {
    const action: BoundActionRequest = {
      digest: 'd'.repeat(43),
      summary: 'Transfer 10 EUR to Bob',
      fields: { amount: 10, to: 'bob' },
    };
    const sent = (type = 'step_up_action') => [
      { type, identifier: action.digest, summary: action.summary, fields: action.fields },
    ];
    let warn: jest.SpyInstance;
    beforeEach(() => {
      warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    });
    afterEach(() => warn.mockRestore());

    it('goes as authorization_details where discovery lists the default type', async () => {
      issuer.metadata = { authorization_details_types_supported: ['payment', 'step_up_action'] };
      const params = await paramsOf({}, { maxAge: 0, boundAction: action });
      expect(JSON.parse(params.get('authorization_details')!)).toEqual(sent());
      expect(params.get('max_age')).toBe('0');
      expect((await paramsOf({}, { maxAge: 0 })).has('authorization_details')).toBe(false);
    });

    it('goes with the configured type, where discovery lists it', async () => {
      const oidc = { authorizationDetailsType: 'urn:acme:step-up' };
      issuer.metadata = { authorization_details_types_supported: ['urn:acme:step-up'] };
      const params = await paramsOf(oidc, { boundAction: action });
      expect(JSON.parse(params.get('authorization_details')!)).toEqual(sent('urn:acme:step-up'));
      issuer.metadata = { authorization_details_types_supported: ['step_up_action'] };
      expect((await paramsOf(oidc, { boundAction: action })).has('authorization_details')).toBe(
        false,
      );
    });

    it.each([undefined, [], ['payment'], 'step_up_action'])(
      'is not sent where discovery lists %p',
      async (typesSupported) => {
        issuer.metadata = { authorization_details_types_supported: typesSupported };
        const params = await paramsOf({}, { boundAction: action });
        expect(params.has('authorization_details')).toBe(false);
        expect(warn).not.toHaveBeenCalled();
      },
    );

    it(`leaves out fields past ${MAX_AUTHORIZATION_DETAILS_BYTES} bytes, and the log says so`, async () => {
      issuer.metadata = { authorization_details_types_supported: ['step_up_action'] };
      const large = { ...action, fields: { note: 'n'.repeat(MAX_AUTHORIZATION_DETAILS_BYTES) } };
      const params = await paramsOf({}, { boundAction: large });
      expect(JSON.parse(params.get('authorization_details')!)).toEqual([
        { type: 'step_up_action', identifier: action.digest, summary: action.summary, fields: {} },
      ]);
      expect(params.get('state')).toBe(REQUEST.state);
      expect(warn).toHaveBeenCalledWith(
        expect.stringMatching(
          /^A bound action's authorization_details would be \d+ bytes, over 2000: its fields go as \{\}$/,
        ),
      );
    });
  });

  describe('verification settings', () => {
    it.each([
      [undefined, 'auto'],
      ['auto', 'auto'],
      ['at+jwt', 'at+jwt'],
      ['any', 'any'],
    ] as const)('carry accessTokenType %p as %p', async (accessTokenType, expected) => {
      const settings = await providerWith({ accessTokenType }).verification();
      expect(settings).toMatchObject({ accessTokenType: expected, idTokensOf: 'client_x' });
    });
  });
  describe('Logout Tokens (Back-Channel Logout 1.0)', () => {
    const key = testKeyPair('ES256', 'op-key');
    const keyFor: SigningKeyLookup = (kid, alg) =>
      Promise.resolve(kid === key.jwk.kid && alg === 'ES256' ? key.publicKey : undefined);
    const nowSeconds = () => Math.floor(Date.now() / 1000);
    const tokenFor = (claims: Record<string, unknown>) =>
      signCompact(
        { alg: 'ES256', kid: key.jwk.kid, typ: 'logout+jwt' },
        {
          iss: issuer.url,
          aud: 'client_x',
          iat: nowSeconds(),
          jti: 'jti-1',
          sid: 'sid-1',
          events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
          ...claims,
        },
        key.privateKey,
        'ES256',
      );
    let warn: jest.SpyInstance;

    beforeEach(() => {
      warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    });
    afterEach(() => warn.mockRestore());

    it('are verified against the discovered issuer and this client', async () => {
      issuer.metadata = {
        backchannel_logout_supported: true,
        backchannel_logout_session_supported: true,
      };
      const provider = providerWith() as OidcIdentityProvider;
      await expect(provider.verifyLogoutToken(tokenFor({}), keyFor)).resolves.toMatchObject({
        iss: issuer.url,
        sid: 'sid-1',
        jti: 'jti-1',
      });
      await expect(
        provider.verifyLogoutToken(tokenFor({ aud: 'client_y' }), keyFor),
      ).rejects.toMatchObject({ code: 'wrong_audience' });
      await expect(
        provider.verifyLogoutToken(tokenFor({ iss: `${issuer.url}/other` }), keyFor),
      ).rejects.toMatchObject({ code: 'wrong_issuer' });
      expect(warn).not.toHaveBeenCalled();
    });

    it('are signed with an algorithm of oidc.algorithms', async () => {
      const provider = providerWith({ algorithms: ['RS256'] }) as OidcIdentityProvider;
      await expect(provider.verifyLogoutToken(tokenFor({}), keyFor)).rejects.toMatchObject({
        code: 'unsupported_alg',
      });
    });

    it.each([
      [{}, /does not say backchannel_logout_supported/],
      [{ backchannel_logout_supported: true }, /does not say backchannel_logout_session_supported/],
    ])('log once what discovery does not say (%p)', async (metadata, line) => {
      issuer.metadata = metadata;
      const provider = providerWith() as OidcIdentityProvider;
      await provider.verifyLogoutToken(tokenFor({}), keyFor);
      await provider.verifyLogoutToken(tokenFor({ jti: 'jti-2' }), keyFor);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(line));
    });
  });
});
