import { WorkOS } from '@workos-inc/node';
import { WorkOSIdentityProvider } from './workos.provider';

describe('WorkOSIdentityProvider.authorizationUrl', () => {
  const workos = new WorkOS('sk_test_authorization_url', { apiHostname: 'auth.example.test' });
  const provider = new WorkOSIdentityProvider({
    workos,
    clientId: 'client_123',
    redirectUri: 'https://app.example/auth/callback?from=reauth',
    cookiePassword: 'a-cookie-password-of-at-least-32-characters',
    issuers: ['https://auth.example.test'],
  });

  /** The SDK's own URL for the same request, with PKCE's method it may leave out. */
  const sdkUrl = (request: { state: string; codeChallenge: string; loginHint?: string }) =>
    new URL(
      workos.userManagement.getAuthorizationUrl({
        provider: 'authkit',
        clientId: 'client_123',
        redirectUri: 'https://app.example/auth/callback?from=reauth',
        codeChallengeMethod: 'S256',
        ...request,
      }),
    );
  const params = (url: URL) => [...url.searchParams].sort(([a], [b]) => a.localeCompare(b));

  it('is the SDK’s URL, with max_age', async () => {
    const request = { state: 'eyJhbGciOiJkaXIifQ..iv.ct.tag', codeChallenge: 'abc_-123' };
    const url = new URL(await provider.authorizationUrl({ ...request, nonce: 'n', maxAge: 300 }));
    const expected = sdkUrl(request);
    expected.searchParams.set('max_age', '300');
    expect(url.origin + url.pathname).toBe(expected.origin + expected.pathname);
    expect(params(url)).toEqual(params(expected));
  });

  it.each([
    'alice+step-up@example.com',
    'o’brien@example.com',
    'a&b=c#d%20e@example.com',
    'space and "quotes"@example.com',
  ])('carries the login hint %s exactly', async (loginHint) => {
    const url = new URL(
      await provider.authorizationUrl({ state: 's', codeChallenge: 'c', nonce: 'n', loginHint }),
    );
    expect(url.searchParams.get('login_hint')).toBe(loginHint);
    expect(url.searchParams.getAll('login_hint')).toHaveLength(1);
    expect(url.searchParams.get('client_id')).toBe('client_123');
  });

  it('carries acr_values space-separated, and nothing for an empty list', async () => {
    const request = { state: 's', codeChallenge: 'c', nonce: 'n' };
    const withAcr = new URL(
      await provider.authorizationUrl({ ...request, acrValues: ['phr', 'urn:x:loa:3'] }),
    );
    expect(withAcr.searchParams.get('acr_values')).toBe('phr urn:x:loa:3');
    const without = new URL(await provider.authorizationUrl({ ...request, acrValues: [] }));
    expect(without.searchParams.has('acr_values')).toBe(false);
    expect(without.searchParams.has('max_age')).toBe(false);
    expect(without.searchParams.get('code_challenge_method')).toBe('S256');
  });

  it('never lets a value add a parameter', async () => {
    const url = new URL(
      await provider.authorizationUrl({
        state: 'x&client_id=evil',
        codeChallenge: 'c&redirect_uri=https://evil.example',
        nonce: 'n',
        loginHint: 'a@example.com&prompt=none',
      }),
    );
    expect(url.searchParams.getAll('client_id')).toEqual(['client_123']);
    expect(url.searchParams.getAll('redirect_uri')).toEqual([
      'https://app.example/auth/callback?from=reauth',
    ]);
    expect(url.searchParams.has('prompt')).toBe(false);
    expect(url.searchParams.get('state')).toBe('x&client_id=evil');
  });
});
