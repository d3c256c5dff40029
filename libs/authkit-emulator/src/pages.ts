import escapeHtml from 'escape-html';

const STYLE = `
  *{box-sizing:border-box}
  body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;
    font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;background:#f4f5f7;color:#1b1f24}
  main{width:100%;max-width:380px;background:#fff;border-radius:12px;padding:32px;
    box-shadow:0 1px 3px rgba(0,0,0,.08),0 8px 24px rgba(0,0,0,.06)}
  .brand{font-size:13px;letter-spacing:.04em;text-transform:uppercase;color:#6b7280;margin:0 0 8px}
  h1{font-size:22px;margin:0 0 8px}
  p{margin:0 0 16px;color:#4b5563}
  label{display:block;font-weight:600;font-size:14px;margin:0 0 6px}
  input{width:100%;padding:10px 12px;border:1px solid #d1d5db;border-radius:8px;font:inherit;margin:0 0 16px}
  input:focus{outline:2px solid #6363f1;border-color:transparent}
  button{width:100%;padding:10px 12px;border:0;border-radius:8px;background:#6363f1;color:#fff;
    font:inherit;font-weight:600;cursor:pointer}
  .error{background:#fef2f2;color:#b91c1c;border-radius:8px;padding:10px 12px;margin:0 0 16px}
  .secondary{display:block;text-align:center;margin-top:16px;color:#6b7280;font-size:14px}
  .idp main{border-top:6px solid #0f766e} .idp button{background:#0f766e}
  code{font-size:13px}
`;

interface Layout {
  title: string;
  body: string;
  brand?: string;
  bodyClass?: string;
}

function page({ title, body, brand = 'AuthKit emulator', bodyClass = '' }: Layout): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body class="${bodyClass}">
<main>
<p class="brand">${escapeHtml(brand)}</p>
${body}
</main>
</body>
</html>`;
}

function errorBlock(error?: string): string {
  return error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : '';
}

function cancelLink(requestId: string): string {
  return `<a class="secondary" id="cancel" href="/user_management/authorize/cancel?request=${encodeURIComponent(requestId)}">Cancel and go back</a>`;
}

export interface EmailPage {
  requestId: string;
  email?: string;
  reauthenticating: boolean;
  error?: string;
}

export function emailPage({ requestId, email, reauthenticating, error }: EmailPage): string {
  const heading = reauthenticating ? 'Confirm it’s you' : 'Sign in';
  const intro = reauthenticating
    ? 'This action needs a recent sign-in. Sign in again to continue.'
    : 'Sign in to continue to the application.';
  return page({
    title: heading,
    body: `<h1>${heading}</h1>
<p>${intro}</p>
${errorBlock(error)}
<form method="post" action="/user_management/authorize/email">
<input type="hidden" name="request" value="${escapeHtml(requestId)}">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required maxlength="320" value="${escapeHtml(email ?? '')}" ${email ? '' : 'autofocus'}>
<button type="submit" id="continue">Continue</button>
</form>
${cancelLink(requestId)}`,
  });
}

export function passwordPage(requestId: string, email: string, error?: string): string {
  return page({
    title: 'Enter your password',
    body: `<h1>Enter your password</h1>
<p>Signing in as <strong>${escapeHtml(email)}</strong>.</p>
${errorBlock(error)}
<form method="post" action="/user_management/authorize/password">
<input type="hidden" name="request" value="${escapeHtml(requestId)}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024" autofocus>
<button type="submit" id="sign-in">Sign in</button>
</form>
${cancelLink(requestId)}`,
  });
}

export function totpPage(requestId: string, email: string, error?: string): string {
  return page({
    title: 'Enter your authentication code',
    body: `<h1>Two-step verification</h1>
<p>Enter the 6-digit code from the authenticator app of <strong>${escapeHtml(email)}</strong>.</p>
${errorBlock(error)}
<form method="post" action="/user_management/authorize/totp">
<input type="hidden" name="request" value="${escapeHtml(requestId)}">
<label for="code">Authentication code</label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required autofocus>
<button type="submit" id="verify">Verify</button>
</form>
${cancelLink(requestId)}`,
  });
}

export function identityProviderPage(requestId: string, email: string): string {
  const domain = email.slice(email.indexOf('@') + 1);
  return page({
    title: `Sign in with ${domain}`,
    brand: `${domain} identity provider (simulated)`,
    bodyClass: 'idp',
    body: `<h1>Single sign-on</h1>
<p>Your organization signs you in. Continue as <strong>${escapeHtml(email)}</strong>?</p>
<form method="post" action="/user_management/authorize/sso">
<input type="hidden" name="request" value="${escapeHtml(requestId)}">
<button type="submit" id="sso-continue">Continue with SSO</button>
</form>
${cancelLink(requestId)}`,
  });
}

export function errorPage(title: string, message: string, code: string): string {
  return page({
    title,
    body: `<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p>
<p><code>${escapeHtml(code)}</code></p>`,
  });
}

export function signedOutPage(): string {
  return page({
    title: 'Signed out',
    body: '<h1>You are signed out</h1><p>Your session has ended. You can close this page.</p>',
  });
}
