import type { ConfirmationPlan } from './confirmation';
import type { AppKind, HttpPlatform } from './config';
import { enrolPasskey, passkeyPlan, passwordPlan, proveLedgerSession } from './step-up';

type Headers = Record<string, string>;

/**
 * What an app must answer: a status, for our JSON 401 the `reason` in its body, and for a
 * redirect a part of its `Location`.
 */
export interface Expectation {
  status: number;
  reason?: string;
  location?: string;
}

export interface Scenario {
  id: string;
  label: string;
  app: AppKind;
  /** The platform the app runs on; Express unless said. */
  platform?: HttpPlatform;
  /** The headers of every measured request; the cookie scenario signs in to the app first. */
  credentials(appUrl: string): Headers | Promise<Headers>;
  /**
   * For a confirmation row: the requests of one confirmation, measured instead of `GET` of the
   * route (made once the credentials are, with the headers they gave).
   */
  confirmation?(appUrl: string, headers: Headers): ConfirmationPlan | Promise<ConfirmationPlan>;
  /** What every measured request must get. */
  expect: Expectation;
  /** The row this one is read against within a round (`vs` in the load table); (b) unless said. */
  baseline?: string;
  /** Requests the app must refuse with 401 before it is measured: proof that it checks. */
  refused: { what: string; headers: Headers }[];
}

// The same negotiation for every app: our guard answers JSON rather than redirecting.
const ACCEPT = { accept: 'application/json' };
// What a browser sends for a page view: our guard redirects it to sign in.
const PAGE_VIEW = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
};

/**
 * Where the scenarios' credentials come from. The measured ones are made when a scenario asks,
 * once its app runs: the library refuses a token issued before its store began (a sign-out of it
 * could have been lost), and a fresh app's memory store begins with the app.
 */
export interface CredentialSource {
  /** Mints a token signed in now. */
  fresh(): Promise<string>;
  /** Mints a token signed in 1000 s ago. */
  stale(): Promise<string>;
  /** Signs in through the running `reauth` app at `appUrl`: its `wos-session` (`name=value`). */
  session(appUrl: string): Promise<string>;
  /** A sealed `wos-session` cookie (`name=value`) of a new session signed in now. */
  freshSession(): Promise<string>;
  /** A sealed `wos-session` cookie (`name=value`) of a new session signed in 1000 s ago. */
  staleSession(): Promise<string>;
  /** A token signed in 1000 s ago, for the refusals, whose reason is not read. */
  staleToken: string;
  /** A `wos-session` cookie of a real sign-in, for apps that never open it. */
  cookie: string;
}

/**
 * (a) to (f′) on Express, then (g), (g′) and (h) on Fastify, then confirmation inside the page on
 * Express: (i) and (j) confirm, (k) is the guard on a session whose ledger holds the proof.
 */
export function scenarios(source: CredentialSource): Scenario[] {
  const bearer = (token: string) => ({ ...ACCEPT, authorization: `Bearer ${token}` });
  const fresh = async () => bearer(await source.fresh());
  const cookie = source.cookie;
  const none = { what: 'a request without credentials', headers: ACCEPT };
  const stale = { what: 'a token signed in 1000 s ago', headers: bearer(source.staleToken) };
  const passes = { status: 200 };
  const session = async (appUrl: string) => ({ ...ACCEPT, cookie: await source.session(appUrl) });
  return [
    {
      id: 'a',
      label: 'bare route, no guard',
      app: 'bare',
      // The same request bytes as (b): the load generator shares the machine, so a bigger request
      // costs it time that would otherwise show up as the guard's.
      credentials: fresh,
      expect: passes,
      refused: [],
    },
    {
      id: 'a″',
      label: 'bare route, no guard, sent the wos-session cookie of (c)',
      app: 'bare',
      // What the bigger request of (c) costs the HTTP stack and the load generator alone.
      credentials: () => ({ ...ACCEPT, cookie }),
      expect: passes,
      refused: [],
    },
    {
      id: 'a′',
      label: 'bare route behind a global guard that returns true (the floor for any guard)',
      app: 'noop-guard',
      credentials: fresh,
      expect: passes,
      refused: [],
    },
    {
      id: 'b',
      label: 'RecentAuthGuard, Bearer token',
      app: 'reauth',
      credentials: fresh,
      expect: passes,
      refused: [none, stale],
    },
    {
      id: 'c',
      label: 'RecentAuthGuard, sealed wos-session cookie',
      app: 'reauth',
      credentials: session,
      expect: passes,
      refused: [none],
    },
    {
      id: 'd',
      label: '@nestjs/passport + passport-jwt, auth_time in validate',
      app: 'passport',
      credentials: fresh,
      expect: passes,
      refused: [none, stale],
    },
    {
      id: 'e',
      label: 'guard with jose jwtVerify per request, auth_time check',
      app: 'jose',
      credentials: fresh,
      expect: passes,
      refused: [none, stale],
    },
    {
      id: 'f',
      label: 'RecentAuthGuard, stale Bearer token (JSON 401)',
      app: 'reauth',
      credentials: async () => bearer(await source.stale()),
      expect: { status: 401, reason: 'stale' },
      refused: [none],
    },
    {
      id: 'f′',
      label: 'RecentAuthGuard, page view without credentials (302 to sign in)',
      app: 'reauth',
      credentials: () => PAGE_VIEW,
      expect: { status: 302, location: '/user_management/authorize' },
      refused: [none, stale],
    },
    {
      id: 'g',
      label: 'bare route on Fastify, no guard',
      app: 'bare',
      platform: 'fastify',
      credentials: fresh,
      expect: passes,
      refused: [],
    },
    {
      id: 'g′',
      label: 'bare route on Fastify behind a global guard that returns true (the floor there)',
      app: 'noop-guard',
      platform: 'fastify',
      credentials: fresh,
      expect: passes,
      refused: [],
    },
    {
      id: 'h',
      label: 'RecentAuthGuard, Bearer token, on Fastify',
      app: 'reauth',
      platform: 'fastify',
      credentials: fresh,
      expect: passes,
      refused: [none, stale],
    },
    {
      id: 'i',
      label: 'passkey confirmation in the page: POST passkey/options, then POST passkey',
      app: 'step-up',
      // A page's session: a real sign-in, whose fresh sign-in also enrols the passkey.
      credentials: session,
      confirmation: async (appUrl, headers) =>
        passkeyPlan(appUrl, headers.cookie, await enrolPasskey(appUrl, headers.cookie)),
      expect: passes,
      refused: [none],
    },
    {
      id: 'j',
      label: 'password confirmation in the page: POST password, checked by the AuthKit emulator',
      app: 'step-up',
      credentials: session,
      confirmation: (appUrl, headers) => passwordPlan(appUrl, headers.cookie),
      expect: passes,
      refused: [none],
    },
    {
      id: 'k',
      label: 'RecentAuthGuard, stale wos-session cookie, a passkey proof in its ledger',
      app: 'step-up',
      credentials: async (appUrl) => {
        const [fresh, staleSession, otherStaleSession] = await Promise.all([
          source.session(appUrl),
          source.staleSession(),
          source.staleSession(),
        ]);
        await proveLedgerSession(appUrl, fresh, staleSession, otherStaleSession);
        return { ...ACCEPT, cookie: staleSession };
      },
      expect: passes,
      refused: [none, stale],
    },
    {
      id: 'k′',
      label:
        'RecentAuthGuard, fresh wos-session cookie sealed as for (k), on its app (no ledger read)',
      app: 'step-up',
      // The control for (k): the same app and the same kind of cookie, whose sign-in suffices.
      credentials: async () => ({ ...ACCEPT, cookie: await source.freshSession() }),
      expect: passes,
      refused: [none, stale],
    },
    {
      id: 'l',
      label: 'RecentAuthGuard, Bearer token, a level and an organization rule (cached)',
      app: 'policies',
      credentials: fresh,
      expect: passes,
      refused: [none, stale],
    },
    {
      id: 'm',
      label: 'RecentAuthGuard, Bearer token, the store on Redis',
      app: 'reauth-redis',
      credentials: fresh,
      expect: passes,
      refused: [none, stale],
      baseline: 'b',
    },
    {
      id: 'n',
      label: 'RecentAuthGuard, sealed wos-session cookie, the store on Redis',
      app: 'reauth-redis',
      credentials: session,
      expect: passes,
      refused: [none, stale],
      baseline: 'c',
    },
  ];
}
