import { HttpBrowser } from '../support/http-browser';
import { startRig, type HttpPlatform, type ProviderRig } from '../support/provider-rigs';

/**
 * `GET /auth/login` while the OpenID Provider cannot be discovered: a person's browser gets a
 * page to try again from, an API client the JSON 503, both with `Retry-After`; on Express and
 * on Fastify, against a real provider.
 */

const NAVIGATE = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'sec-fetch-mode': 'navigate',
};
const JSON_ACCEPT = { accept: 'application/json' };

describe.each<HttpPlatform>(['express', 'fastify'])(
  'GET /auth/login while the provider is down (%s)',
  (adapter) => {
    let rig: ProviderRig;

    beforeAll(async () => {
      rig = await startRig('oidc-provider', { controllers: [], adapter });
      // From the start: once the app has a discovery document, a stale one keeps serving.
      await rig.oidc!.failDiscovery('unavailable');
    });
    afterAll(() => rig?.close());

    it.each([
      ['Accept: application/json', JSON_ACCEPT],
      ['no Accept', {}],
      ['fetch() from a page', { ...NAVIGATE, 'sec-fetch-mode': 'cors' }],
    ])('answers %s with the JSON 503 and Retry-After', async (_name, headers) => {
      const res = await new HttpBrowser().get(`${rig.url}/auth/login`, headers);
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(JSON.parse(res.text)).toEqual({
        statusCode: 503,
        error: 'reauth_unavailable',
        message: 'Authentication is temporarily unavailable. Try again shortly.',
      });
    });

    it('answers a browser navigation with a 503 page, Retry-After, and a link to try again', async () => {
      const browser = new HttpBrowser();
      const path = '/auth/login?returnTo=%2Faccount%3Ftab%3D2';
      const page = await browser.get(`${rig.url}${path}`, NAVIGATE);

      expect(page.status).toBe(503);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.headers.get('retry-after')).toBe('5');
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(page.location).toBeUndefined();
      expect(page.text).toContain('<code>reauth_unavailable</code>');
      expect(page.text).toContain(`<a id="retry" href="${path}">`);
      expect(page.text).toContain('<a id="leave" href="/">');

      // Once the provider is back (and the discovery backoff over), the link starts the sign-in.
      await rig.oidc!.failDiscovery(null);
      await rig.advanceClock(31);
      const retried = await browser.get(`${rig.url}${path}`, NAVIGATE);
      expect(retried.status).toBe(302);
      expect(new URL(retried.location!).origin).toBe(rig.oidc!.issuer);
    });
  },
);
