import { PROTOCOL } from '../core/protocol';
import { DEFAULT_PAGE_THEME, resolvePageTheme } from '../pages/page-theme';
import { pagePolicy, popupResultPage, problemPage, type PageFrame } from './problem-page';

const nonce = 'bm9uY2Utb2YtdGhlLXRlc3Q=';
const frame: PageFrame = { language: 'en', theme: DEFAULT_PAGE_THEME, nonce };
const okTexts = { text: 'You confirmed it’s you.', actionLabel: 'Confirmed:' };
const failedTexts = { text: 'It did not complete.', actionLabel: 'Not confirmed:' };

/** Every script, style and link element with its attributes. */
const elements = (page: string) =>
  [...page.matchAll(/<(script|style|link)\b([^>]*)>/gi)].map(([, name, attributes]) => ({
    name: name.toLowerCase(),
    attributes,
  }));

describe('popupResultPage under pagePolicy', () => {
  const page = popupResultPage(
    { type: PROTOCOL.popupMessageType, status: 'ok' },
    'https://app.example',
    okTexts,
    frame,
  );
  const policy = pagePolicy(nonce, DEFAULT_PAGE_THEME, true);

  it('has no inline style attribute, which its policy would block', () => {
    expect(page).not.toMatch(/\sstyle\s*=/i);
  });

  it('gives every script and style element the nonce its policy allows', () => {
    const found = elements(page);
    expect(found.map(({ name }) => name).sort()).toEqual(['script', 'style']);
    for (const { attributes } of found) expect(attributes).toContain(`nonce="${nonce}"`);
  });

  it('allows nothing else, and no framing', () => {
    expect(policy.split('; ')).toEqual([
      "default-src 'none'",
      `script-src 'nonce-${nonce}'`,
      `style-src 'nonce-${nonce}'`,
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ]);
  });

  it('is in the frame’s language', () => {
    expect(page).toContain('<html lang="en">');
    const german = popupResultPage(
      { type: PROTOCOL.popupMessageType, status: 'ok' },
      'https://app.example',
      { text: 'Ihre Identität ist bestätigt.', actionLabel: 'Bestätigt:' },
      { ...frame, language: 'de' },
    );
    expect(german).toContain('<html lang="de">');
    expect(german).toContain('data-status="ok">Ihre Identität ist bestätigt.</p>');
  });
});

describe('problemPage', () => {
  const page = problemPage(
    { title: 'Title', message: 'Message', code: 'code_invalid', links: [] },
    frame,
  );

  it('runs no script and styles only by its nonce', () => {
    expect(elements(page)).toEqual([{ name: 'style', attributes: ` nonce="${nonce}"` }]);
    expect(page).not.toMatch(/\sstyle\s*=/i);
    expect(pagePolicy(nonce, DEFAULT_PAGE_THEME).split('; ')).toEqual([
      "default-src 'none'",
      `style-src 'nonce-${nonce}'`,
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ]);
  });

  it('escapes the links and their labels', () => {
    const linked = problemPage(
      {
        title: 'T',
        message: 'M',
        code: 'reauth_unavailable',
        links: [{ href: '/auth/login?returnTo=%2Fa&x="><script>', label: '<b>', id: 'retry' }],
      },
      frame,
    );
    expect(linked).toContain(
      '<a id="retry" href="/auth/login?returnTo=%2Fa&amp;x=&quot;&gt;&lt;script&gt;">&lt;b&gt;</a>',
    );
    expect(linked).not.toContain('<script');
  });
});

describe('the pages of a bound action', () => {
  const summary = 'Transfer 50 EUR to <img src=x onerror=alert(1)> & "Bob"';
  const escaped = 'Transfer 50 EUR to &lt;img src=x onerror=alert(1)&gt; &amp; &quot;Bob&quot;';

  it('the popup’s page says what was confirmed, escaped', () => {
    const page = popupResultPage(
      { type: PROTOCOL.popupMessageType, status: 'ok' },
      'https://app.example',
      okTexts,
      frame,
      summary,
    );
    expect(page).toContain(`<p id="popup-action">Confirmed: <strong>${escaped}</strong></p>`);
    expect(page).not.toContain('<img');
  });

  it('the popup’s page says what was not confirmed', () => {
    const page = popupResultPage(
      { type: PROTOCOL.popupMessageType, status: 'failed', code: 'code_invalid' },
      'https://app.example',
      failedTexts,
      frame,
      'Transfer 50 EUR to Bob',
    );
    expect(page).toContain(
      '<p id="popup-action">Not confirmed: <strong>Transfer 50 EUR to Bob</strong></p>',
    );
  });

  it('the popup’s page without a bound action names none', () => {
    const page = popupResultPage(
      { type: PROTOCOL.popupMessageType, status: 'ok' },
      'https://app.example',
      okTexts,
      frame,
    );
    expect(page).not.toContain('id="popup-action"');
  });

  it('a problem page names the action, escaped, before its code', () => {
    const page = problemPage(
      {
        title: 'Title',
        message: 'Message',
        code: 'code_invalid',
        links: [],
        action: { label: 'You were confirming:', summary },
      },
      frame,
    );
    expect(page).toContain(`<p id="action">You were confirming: <strong>${escaped}</strong></p>`);
    expect(page.indexOf('id="action"')).toBeLessThan(page.indexOf('<code>'));
    expect(page).not.toContain('<img');
  });
});

describe('a themed page', () => {
  const theme = resolvePageTheme({
    productName: 'Acme <Bank> & "Co"',
    logoUrl: 'https://cdn.acme.example/brand/logo.svg?v=2&x=1',
    stylesheetUrl: '/brand/pages.css',
    accentColor: '#0b7a4b',
    accentTextColor: '#fff',
  });
  const page = problemPage(
    { title: 'Title', message: 'Message', code: 'code_invalid', links: [] },
    { ...frame, theme },
  );

  it('shows the logo and the name, escaped', () => {
    expect(page).toContain(
      '<div id="brand"><img src="https://cdn.acme.example/brand/logo.svg?v=2&amp;x=1" alt="Acme &lt;Bank&gt; &amp; &quot;Co&quot;"></div>',
    );
    expect(page).toContain('<title>Title · Acme &lt;Bank&gt; &amp; &quot;Co&quot;</title>');
  });

  it('loads the stylesheet after its own styles, and colours its buttons', () => {
    expect(page.indexOf('<link rel="stylesheet" href="/brand/pages.css">')).toBeGreaterThan(
      page.indexOf('</style>'),
    );
    expect(page).toContain('background:#0b7a4b;color:#fff;');
  });

  it('allows exactly the logo’s and the stylesheet’s origins', () => {
    expect(pagePolicy(nonce, theme).split('; ')).toEqual([
      "default-src 'none'",
      `style-src 'nonce-${nonce}' 'self'`,
      'img-src https://cdn.acme.example',
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ]);
  });

  it('names itself in text alone without a logo', () => {
    const named = problemPage(
      { title: 'T', message: 'M', code: 'c', links: [] },
      { ...frame, theme: resolvePageTheme({ productName: 'Acme' }) },
    );
    expect(named).toContain('<div id="brand"><span>Acme</span></div>');
    expect(problemPage({ title: 'T', message: 'M', code: 'c', links: [] }, frame)).not.toContain(
      'id="brand"',
    );
  });
});
