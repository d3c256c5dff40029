import type { ActivityEntry } from '../activity.service';
import { h, layout, notice } from './layout';

/** The re-authentication window of the demo's sensitive pages, in seconds. */
export const SENSITIVE_MAX_AGE = 300;

export interface Viewer {
  userId: string;
  email?: string;
  name?: string;
  authTime?: number;
}

function duration(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return minutes > 0 ? `${minutes} min ${rest} s` : `${rest} s`;
}

function utc(seconds: number): string {
  return new Date(seconds * 1000)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
}

/** Who is signed in, when they last actively signed in, and how long sensitive actions stay open. */
export function freshness(viewer: Viewer, now: number): string {
  if (viewer.authTime === undefined) {
    return '<p class="muted" id="freshness">Your token does not say when you last signed in.</p>';
  }
  const age = Math.max(0, now - viewer.authTime);
  const remaining = SENSITIVE_MAX_AGE - age;
  const percent = Math.max(0, Math.min(100, (remaining / SENSITIVE_MAX_AGE) * 100));
  const status =
    remaining > 0
      ? `Sensitive actions are open for another <strong>${duration(remaining)}</strong>.`
      : 'Sensitive actions will ask you to confirm it’s you first.';
  return `<dl>
<dt>Signed in as</dt><dd id="email">${h(viewer.email ?? viewer.userId)}</dd>
<dt>Last active sign-in</dt><dd id="auth-time" data-auth-time="${viewer.authTime}">${utc(viewer.authTime)} (${duration(age)} ago)</dd>
</dl>
<progress class="meter" aria-hidden="true" max="100" value="${percent.toFixed(1)}"></progress>
<p class="muted" id="freshness">${status}</p>`;
}

export function homePage(viewer: Viewer | undefined, message?: string, language?: string): string {
  const body = viewer
    ? `<h1>Welcome back${viewer.name ? `, ${h(viewer.name)}` : ''}</h1>
<div class="card"><p>Signed in as <strong id="email">${h(viewer.email ?? viewer.userId)}</strong>.</p>
<p><a class="button" href="/account">Go to your account</a></p></div>`
    : `<h1>Step-up authentication for NestJS</h1>
<div class="card">
<p>This demo guards sensitive actions with <code>@RequireRecentAuth()</code>: changing your email
needs a sign-in within the last 5 minutes, deleting your account needs a fresh one every time.</p>
<p>When a sign-in is too old, you confirm it’s you without leaving the page, with a passkey or your
password, or at AuthKit, and come straight back to what you were doing.</p>
<p><a class="button" id="sign-in-main" href="/auth/login?returnTo=%2Faccount">Sign in</a></p>
</div>`;
  return layout({
    title: 'Home',
    signedIn: viewer !== undefined,
    body: notice('warn', message) + body,
    language,
  });
}

/** What the account page says about sessions that end at WorkOS; see `AuthKitSessions`. */
export interface SessionEnds {
  /** WorkOS's webhooks reach the app. */
  webhooks: boolean;
  /** The demo can end the session at AuthKit itself (the embedded emulator). */
  canEnd: boolean;
}

export interface AccountPage {
  viewer: Viewer;
  now: number;
  confirmedDelete: boolean;
  sessionEnds: SessionEnds;
  message?: string;
}

/** With WorkOS's webhooks on: what ends this session from outside, and how to try it. */
function endedAtWorkOSCard({ webhooks, canEnd }: SessionEnds): string {
  if (!webhooks) return '';
  const button = canEnd
    ? `<form method="post" action="/account/end-at-authkit">
<button id="end-at-authkit">End this session at AuthKit</button>
</form>
<p class="muted gap-top">This does what an admin does in the WorkOS dashboard: the demo asks its
AuthKit emulator to revoke this session (the SDK’s <code>revokeSession</code>), and does not sign
you out itself.</p>`
    : '';
  return `<div class="card" id="ended-at-workos">
<h2>Ended at WorkOS</h2>
<p>When this session ends at WorkOS (an admin revokes it, or deletes your user), WorkOS sends this
app a signed webhook, and your next request here is signed out.</p>
${button}</div>`;
}

export function accountPage({
  viewer,
  now,
  confirmedDelete,
  sessionEnds,
  message,
}: AccountPage): string {
  const deleteCard = confirmedDelete
    ? `<div class="card" id="delete-confirmed">
<h2>Delete your account</h2>
${notice('ok', 'You confirmed it’s you. Deleting cannot be undone.')}
<form method="post" action="/account/delete">
<input type="hidden" name="confirm" value="DELETE">
<button class="danger" id="delete-now">Delete my account now</button>
</form></div>`
    : `<div class="card">
<h2>Delete your account</h2>
<p>This cannot be undone. You will be asked to sign in again to confirm it’s you, every time.</p>
<form method="post" action="/account/delete">
<label for="confirm">Type DELETE to confirm</label>
<input type="text" id="confirm" name="confirm" required pattern="DELETE" autocomplete="off">
<button class="danger" id="delete">Delete account</button>
</form></div>`;
  return layout({
    title: 'Account',
    signedIn: true,
    body: `<h1>Your account</h1>
${notice('warn', message)}
<div class="card">${freshness(viewer, now)}
<p class="gap-top"><a class="button" href="/account/security" id="to-security">Security settings</a>
<a href="/account/passkeys" id="to-passkeys" class="gap-left">Passkeys</a>
<a href="/account/activity" id="to-activity" class="gap-left">Sign-in activity</a></p></div>
${endedAtWorkOSCard(sessionEnds)}
${deleteCard}`,
  });
}

export interface SecurityPage {
  viewer: Viewer;
  now: number;
  draftEmail?: string;
  restored: boolean;
  saved: boolean;
  error?: string;
}

export function securityPage({
  viewer,
  now,
  draftEmail,
  restored,
  saved,
  error,
}: SecurityPage): string {
  return layout({
    title: 'Security',
    signedIn: true,
    script: 'security.js',
    body: `<h1>Security settings</h1>
<p class="muted">This page needs a sign-in within the last ${SENSITIVE_MAX_AGE / 60} minutes.</p>
${notice('info', restored ? 'You confirmed it’s you. Your change is filled in below: save it to finish.' : undefined)}
${notice('ok', saved ? 'Your email address was changed.' : undefined)}
${notice('error', error)}
<div class="card">${freshness(viewer, now)}</div>
<div class="card">
<h2>Email address</h2>
<p class="notice" id="email-status" role="status" hidden></p>
<form method="post" action="/account/email" id="email-form">
<label for="email-input">New email address</label>
<input type="email" id="email-input" name="email" required maxlength="320" value="${h(draftEmail ?? '')}">
<button id="save-email">Save email</button>
</form></div>`,
  });
}

/** The user's passkeys: listed, added, renamed and deleted by `/assets/passkeys.js`. */
export function passkeysPage(viewer: Viewer): string {
  return layout({
    title: 'Passkeys',
    signedIn: true,
    script: 'passkeys.js',
    body: `<h1>Passkeys</h1>
<p class="muted">With a passkey you confirm it’s you in the page, with your device’s screen lock,
instead of signing in again. Adding, renaming or deleting one needs a sign-in within the last
5 minutes.</p>
<p class="notice" id="passkeys-status" role="status" hidden></p>
<div class="card">
<h2>Your passkeys</h2>
<p class="muted">Signed in as <span id="email">${h(viewer.email ?? viewer.userId)}</span>.</p>
<ul class="passkeys" id="passkey-list" aria-label="Your passkeys"></ul>
<p class="muted" id="no-passkeys">No passkeys yet.</p>
<noscript><p class="notice warn">Passkeys need JavaScript.</p></noscript>
</div>
<div class="card">
<h2>Add a passkey</h2>
<p class="notice warn" id="no-webauthn" hidden>This browser cannot create passkeys.</p>
<form id="enrol-form">
<label for="passkey-name">Name</label>
<input type="text" id="passkey-name" name="name" required maxlength="64" autocomplete="off" placeholder="Work laptop">
<button id="enrol">Add a passkey</button>
</form></div>
<p><a href="/account">Back to your account</a></p>`,
  });
}

export function deletedPage(): string {
  return layout({
    title: 'Account deleted',
    signedIn: false,
    body: `<h1>Your account was deleted</h1>
<div class="card"><p id="deleted">This is a demo: nothing was really removed, and you have been signed out.</p>
<p><a class="button" href="/">Back to the start</a></p></div>`,
  });
}

/** After "End this session at AuthKit": what happens next, and where it shows. */
export function endedAtAuthKitPage(): string {
  return layout({
    title: 'Session ended at AuthKit',
    signedIn: false,
    body: `<h1>AuthKit ended this session</h1>
<div class="card">
<p id="ended-at-authkit">The demo asked AuthKit to revoke your session, as an admin would. It did
not sign you out itself: your browser still holds the session cookie.</p>
<p>AuthKit sends this app a signed <code>session.revoked</code> webhook at
<code>POST /auth/workos/events</code>. Once it is in (here, within a moment), the app refuses this
session, and your next request asks you to sign in again.</p>
<p><a class="button" href="/account" id="to-account">Go to your account</a></p></div>`,
  });
}

/** What each event means to the user whose history it is. */
const ACTIVITY_WORDS: Record<ActivityEntry['type'], string> = {
  'reauth.required': 'Asked to confirm it’s you',
  'reauth.started': 'Went to confirm it’s you',
  'reauth.completed': 'Confirmed it’s you',
  'reauth.failed': 'Did not confirm it’s you',
  'session.refreshed': 'Session renewed',
  'session.revoked': 'Signed out',
  'store.unavailable': 'Sign-in service unavailable',
  'step-up.confirmed': 'Confirmed it’s you on the page',
  'step-up.failed': 'A confirmation on the page failed',
};

export function activityPage(entries: readonly ActivityEntry[]): string {
  const rows = entries
    .map(
      (entry) => `<tr data-type="${h(entry.type)}">
<td>${h(entry.time.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))}</td>
<td>${h(ACTIVITY_WORDS[entry.type])}${entry.type === 'reauth.started' && entry.maxAge === undefined ? ' (sign-in)' : ''}</td>
<td>${h(entry.action)}</td>
<td>${h(entry.reason)}</td>
</tr>`,
    )
    .join('\n');
  const table = entries.length
    ? `<table id="activity"><thead><tr><th>When</th><th>What</th><th>For</th><th>Why</th></tr></thead>
<tbody>
${rows}
</tbody></table>`
    : '<p class="muted" id="no-activity">Nothing yet.</p>';
  return layout({
    title: 'Sign-in activity',
    signedIn: true,
    body: `<h1>Sign-in activity</h1>
<div class="card">
<p class="muted">When you were asked to confirm it’s you, and what came of it: newest first, the last 50.</p>
${table}
<p class="gap-top"><a href="/account">Back to your account</a></p></div>`,
  });
}
