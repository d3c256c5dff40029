import { PROTOCOL } from '../core/protocol';
import { popupResultPage, popupResultPolicy, unavailablePage } from './problem-page';

describe('popupResultPage under popupResultPolicy', () => {
  const nonce = 'bm9uY2Utb2YtdGhlLXRlc3Q=';
  const page = popupResultPage(
    { type: PROTOCOL.popupMessageType, status: 'ok' },
    'https://app.example',
    nonce,
  );
  const policy = popupResultPolicy(nonce);

  it('has no inline style attribute, which its policy would block', () => {
    expect(page).not.toMatch(/\sstyle\s*=/i);
  });

  it('gives every script and style element the nonce its policy allows', () => {
    const elements = [...page.matchAll(/<(script|style)\b([^>]*)>/gi)];
    expect(elements.map(([, name]) => name.toLowerCase()).sort()).toEqual(['script', 'style']);
    for (const [, , attributes] of elements) expect(attributes).toContain(`nonce="${nonce}"`);
    expect(policy).toContain(`script-src 'nonce-${nonce}'`);
    expect(policy).toContain(`style-src 'nonce-${nonce}'`);
  });

  it('allows nothing else, and no framing', () => {
    expect(policy.split('; ')).toEqual([
      "default-src 'none'",
      `script-src 'nonce-${nonce}'`,
      `style-src 'nonce-${nonce}'`,
      "frame-ancestors 'none'",
    ]);
  });
});

describe('unavailablePage', () => {
  it('links to trying again and to leaving, with the links escaped', () => {
    const page = unavailablePage('/auth/login?returnTo=%2Fa&x="><script>', '/');
    expect(page).toContain('<code>reauth_unavailable</code>');
    expect(page).toContain(
      '<a id="retry" href="/auth/login?returnTo=%2Fa&amp;x=&quot;&gt;&lt;script&gt;">Try again</a>',
    );
    expect(page).toContain('<a id="leave" href="/">Go to the start page</a>');
    expect(page).not.toContain('<script>');
  });
});
