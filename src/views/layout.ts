import escapeHtml from 'escape-html';
import { languageSwitch } from '../demo-language';

/** Escapes a value for HTML text and attributes. */
export const h = (value: string | number | undefined): string =>
  escapeHtml(value === undefined ? '' : String(value));

/** The demo's stylesheet, served as `/assets/demo.css`: the pages' policy allows no inline style. */
export const DEMO_CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.55 system-ui,-apple-system,"Segoe UI",sans-serif;background:#f6f7f9;color:#1b1f24}
header{background:#fff;border-bottom:1px solid #e5e7eb}
header .bar{max-width:760px;margin:0 auto;padding:14px 20px;display:flex;gap:18px;align-items:center}
header .brand{font-weight:700;margin-right:auto;color:#1b1f24;text-decoration:none}
header a{color:#4b5563;text-decoration:none} header a:hover{color:#1b1f24}
main{max-width:760px;margin:28px auto;padding:0 20px}
h1{font-size:26px;margin:0 0 6px} h2{font-size:18px;margin:0 0 10px}
p{margin:0 0 12px;color:#374151}
.card{background:#fff;border:1px solid #e5e7eb;border-radius:12px;padding:22px;margin:0 0 18px}
.muted{color:#6b7280;font-size:14px}
.notice{border-radius:10px;padding:12px 14px;margin:0 0 18px}
.notice.info{background:#eef2ff;color:#3730a3} .notice.ok{background:#ecfdf5;color:#065f46}
.notice.warn{background:#fffbeb;color:#92400e} .notice.error{background:#fef2f2;color:#991b1b}
dl{display:grid;grid-template-columns:200px 1fr;gap:6px 14px;margin:0}
dt{color:#6b7280} dd{margin:0}
label{display:block;font-weight:600;font-size:14px;margin:0 0 6px}
input[type=text],input[type=email],input[type=number]{width:100%;max-width:380px;padding:9px 11px;border:1px solid #d1d5db;border-radius:8px;font:inherit;margin:0 0 12px;display:block}
button,.button{display:inline-block;padding:9px 16px;border:0;border-radius:8px;background:#4f46e5;color:#fff;font:inherit;font-weight:600;cursor:pointer;text-decoration:none}
button.danger{background:#dc2626} button.link{background:none;color:#4b5563;padding:0;font-weight:400}
.meter{display:block;appearance:none;width:100%;height:8px;border:0;background:#e5e7eb;border-radius:99px;overflow:hidden;margin:6px 0 8px;max-width:380px}
.meter::-webkit-progress-bar{background:#e5e7eb}
.meter::-webkit-progress-value{background:#10b981} .meter::-moz-progress-bar{background:#10b981}
.inline{display:inline;margin:0} .gap-left{margin-left:12px} .gap-top{margin-top:14px}
ul.passkeys{list-style:none;padding:0;margin:0 0 12px} ul.passkeys li{display:flex;gap:10px;align-items:center;padding:8px 0;border-bottom:1px solid #e5e7eb}
ul.passkeys li .name{font-weight:600;margin-right:auto} ul.passkeys li input{margin:0;max-width:220px}
code{font-size:13px}
table{border-collapse:collapse;width:100%;font-size:14px} th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e5e7eb} th{color:#6b7280;font-weight:600}
dialog{border:0;border-radius:12px;padding:24px;max-width:420px;box-shadow:0 20px 50px rgba(0,0,0,.2)}
dialog::backdrop{background:rgba(17,24,39,.35)}
nav.languages{display:flex;gap:8px;font-size:13px} nav.languages a[aria-current]{color:#1b1f24;font-weight:600} header .brand{white-space:nowrap}
`;

export interface PageInput {
  title: string;
  body: string;
  signedIn: boolean;
  /** The page's own module script under `/assets/` (the policy allows no inline script). */
  script?: string;
  /** The language chosen with the switch: the page's `lang`, which the dialog follows. */
  language?: string;
}

/** The demo's page frame: navigation, styles, and the body. */
export function layout({ title, body, signedIn, script, language }: PageInput): string {
  const nav = signedIn
    ? `<a href="/account">Account</a><a href="/account/security">Security</a><a href="/account/passkeys">Passkeys</a><a href="/spa">SPA</a><a href="/chat">Chat</a>
       <form method="post" action="/auth/logout" class="inline"><button class="link" id="sign-out">Sign out</button></form>`
    : `<a class="button" id="sign-in" href="/auth/login?returnTo=%2Faccount">Sign in</a>`;
  return `<!doctype html>
<html lang="${h(language ?? 'en')}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(title)} · Sudo mode demo</title>
<link rel="stylesheet" href="/assets/demo.css">
${script ? `<script type="module" src="/assets/${h(script)}"></script>\n` : ''}</head>
<body>
<header><div class="bar"><a class="brand" href="/">Sudo mode demo</a>${nav}${languageSwitch(language)}</div></header>
<main>
${body}
</main>
</body>
</html>`;
}

/** A notice box, or nothing. */
export function notice(kind: 'info' | 'ok' | 'warn' | 'error', text: string | undefined): string {
  return text ? `<p class="notice ${kind}" role="status">${h(text)}</p>` : '';
}
