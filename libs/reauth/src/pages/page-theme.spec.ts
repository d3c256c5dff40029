import { DEFAULT_PAGE_THEME, resolvePageTheme } from './page-theme';

describe('resolvePageTheme', () => {
  it('is the library’s look without a theme', () => {
    expect(resolvePageTheme(undefined)).toBe(DEFAULT_PAGE_THEME);
  });

  it('keeps checked values, and the CSP sources they need', () => {
    expect(
      resolvePageTheme({
        productName: 'Acme',
        logoUrl: '/brand/logo.svg',
        stylesheetUrl: 'https://cdn.acme.example:8443/pages.css',
        accentColor: '#0B7A4B',
        accentTextColor: '#fffa',
      }),
    ).toEqual({
      productName: 'Acme',
      logoUrl: '/brand/logo.svg',
      stylesheetUrl: 'https://cdn.acme.example:8443/pages.css',
      accentColor: '#0B7A4B',
      accentTextColor: '#fffa',
      imageSources: ["'self'"],
      styleSources: ['https://cdn.acme.example:8443'],
    });
  });

  // What a hostile (or careless) value would need to break out of the attribute, the style
  // element or the policy: each is refused at start-up.
  it.each([
    'red',
    '#12345',
    '#0b7a4b;background:url(https://evil.example/x)',
    '#fff}body{display:none',
    '#fff</style><script>alert(1)</script>',
    'expression(alert(1))',
    'var(--x)',
    ' #fff',
    42,
    null,
  ])('refuses the colour %j', (accentColor) => {
    expect(() => resolvePageTheme({ accentColor })).toThrow(
      'ReauthModule: pages.theme.accentColor must be a hex colour',
    );
  });

  it.each([
    'javascript:alert(1)',
    'data:image/svg+xml,<svg onload=alert(1)>',
    'http://cdn.acme.example/logo.svg',
    '//evil.example/logo.svg',
    '/\\evil.example/logo.svg',
    '/logo.svg" onerror="alert(1)',
    "/logo.svg' onerror='alert(1)",
    '/logo.svg><script>alert(1)</script>',
    '/logo svg',
    '/logo.svg\n',
    'https://user:pass@cdn.acme.example/logo.svg',
    'https://cdn.acme.example/logo.svg"><script>',
    "https://cdn.acme.example/x'; script-src *",
    'logo.svg',
    '',
    42,
    {},
  ])('refuses the URL %j', (logoUrl) => {
    expect(() => resolvePageTheme({ logoUrl })).toThrow(
      'ReauthModule: pages.theme.logoUrl must be a same-origin path',
    );
    expect(() => resolvePageTheme({ stylesheetUrl: logoUrl })).toThrow(
      'ReauthModule: pages.theme.stylesheetUrl must be a same-origin path',
    );
  });

  it.each(['', '  ', 'x'.repeat(81), 'Acme\n<script>', 42])(
    'refuses the product name %j',
    (productName) => {
      expect(() => resolvePageTheme({ productName })).toThrow(
        'ReauthModule: pages.theme.productName must be a non-empty string of at most 80 characters',
      );
    },
  );

  it('keeps markup in a product name as text: pages escape it', () => {
    expect(resolvePageTheme({ productName: '<b>Acme</b>' }).productName).toBe('<b>Acme</b>');
  });

  it('refuses an unknown key, and a theme that is not an object', () => {
    expect(() => resolvePageTheme({ template: () => '<script>' })).toThrow(
      'ReauthModule: pages.theme.template is not an option',
    );
    expect(() => resolvePageTheme('dark')).toThrow('ReauthModule: pages.theme must be an object');
  });
});
