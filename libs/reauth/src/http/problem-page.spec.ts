import { PROTOCOL } from '../core/protocol';
import { popupResultPage, popupResultPolicy, problemPage, unavailablePage } from './problem-page';

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

describe('the pages of a bound action', () => {
  const summary = 'Transfer 50 EUR to <img src=x onerror=alert(1)> & "Bob"';
  const escaped = 'Transfer 50 EUR to &lt;img src=x onerror=alert(1)&gt; &amp; &quot;Bob&quot;';

  it('the popup’s page says what was confirmed, escaped', () => {
    const page = popupResultPage(
      { type: PROTOCOL.popupMessageType, status: 'ok' },
      'https://app.example',
      'bm9uY2U=',
      summary,
    );
    expect(page).toContain(`<p id="popup-action">Confirmed: <strong>${escaped}</strong></p>`);
    expect(page).not.toContain('<img');
  });

  it('the popup’s page says what was not confirmed', () => {
    const page = popupResultPage(
      { type: PROTOCOL.popupMessageType, status: 'failed', code: 'code_invalid' },
      'https://app.example',
      'bm9uY2U=',
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
      'bm9uY2U=',
    );
    expect(page).not.toContain('popup-action');
  });

  it('a problem page names the action, escaped, before its code', () => {
    const page = problemPage('Title', 'Message', 'code_invalid', '/', {
      label: 'You were confirming:',
      summary,
    });
    expect(page).toContain(`<p id="action">You were confirming: <strong>${escaped}</strong></p>`);
    expect(page.indexOf('id="action"')).toBeLessThan(page.indexOf('<code>'));
    expect(page).not.toContain('<img');
    expect(problemPage('Title', 'Message', 'code_invalid', '/')).not.toContain('id="action"');
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
