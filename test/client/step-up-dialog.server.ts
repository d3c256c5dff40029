import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type WebAuthnCredential,
} from '@simplewebauthn/server';
import { APP_JS, PAGE } from './step-up-dialog.page';

/**
 * A small app for the dialog's browser test: a page under a strict Content-Security-Policy that
 * loads the built `step-up-fetch`, a guarded route that refuses with `stepUp` until confirmed,
 * and the confirmation and passkey endpoints of the protocol, checked by @simplewebauthn/server.
 */

const BUNDLE = join(__dirname, '../../libs/reauth-client/dist/step-up-fetch.js');
export const CSP =
  "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
export const PASSWORD = 'bob-password';
export const CODE = '123456';
const SESSION_COOKIE = 'sid=session-1';

/** A request the app received, as the assertions read it. */
export interface Received {
  path: string;
  cookie?: string;
  csrf?: string;
  contentType?: string;
  body?: Record<string, unknown>;
}

/** What the app knows, reset before each test. */
export interface AppState {
  hasCode: boolean;
  /** Whether refusals offer ways to confirm in the page (`stepUp`). */
  offersStepUp: boolean;
  /** The refusals' `actionSummary`: the route is bound to one action. */
  actionSummary?: string;
  confirmed: boolean;
  codePending: boolean;
  tickets: Set<string>;
  challenge?: string;
  credential?: WebAuthnCredential;
  passkeyVerified: boolean;
  received: Received[];
}

const freshState = (): AppState => ({
  hasCode: false,
  offersStepUp: true,
  confirmed: false,
  codePending: false,
  tickets: new Set(),
  passkeyVerified: false,
  received: [],
});

export interface StepUpTestApp {
  /** `http://localhost:<port>`: a secure context, and a valid WebAuthn RP ID. */
  url: string;
  state: AppState;
  reset(options?: { hasCode?: boolean; offersStepUp?: boolean; actionSummary?: string }): void;
  close(): Promise<void>;
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(JSON.stringify(body));
}

const confirmed = (method: string) => ({
  status: 'confirmed',
  method,
  amr: [method === 'passkey' ? 'hwk' : 'pwd'],
  at: Math.floor(Date.now() / 1000),
  expiresAt: Math.floor(Date.now() / 1000) + 300,
});

export async function startStepUpTestApp(): Promise<StepUpTestApp> {
  const app = { state: freshState() } as StepUpTestApp;
  const rpID = 'localhost';

  const refusal = (response: ServerResponse) => {
    const ticket = randomBytes(12).toString('base64url');
    app.state.tickets.add(ticket);
    const methods = [
      ...(app.state.credential
        ? [
            {
              kind: 'passkey',
              optionsUrl: '/auth/step-up/passkey/options',
              confirmUrl: '/auth/step-up/passkey',
            },
          ]
        : []),
      { kind: 'password', confirmUrl: '/auth/step-up/password' },
      { kind: 'provider', url: `${app.url}/authorize` },
    ];
    send(
      response,
      401,
      {
        statusCode: 401,
        error: 'reauth_required',
        reason: 'stale',
        message: 'More recent authentication is required',
        maxAge: 300,
        reauthUrl: `${app.url}/authorize`,
        ...(app.state.actionSummary === undefined
          ? {}
          : { actionSummary: app.state.actionSummary }),
        ...(app.state.offersStepUp ? { stepUp: { ticket, methods } } : {}),
      },
      {
        'www-authenticate':
          'Bearer error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="300"',
      },
    );
  };

  const routes: Record<
    string,
    (body: Record<string, unknown>, response: ServerResponse) => Promise<void> | void
  > = {
    '/api/transfers': (body, response) => {
      if (!app.state.confirmed) return refusal(response);
      send(response, 200, { ok: true, n: body.n });
    },
    '/auth/passkeys/registration/options': async (_body, response) => {
      const options = await generateRegistrationOptions({
        rpName: 'Step-up test',
        rpID,
        userName: 'bob@example.com',
        attestationType: 'none',
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      });
      app.state.challenge = options.challenge;
      send(response, 200, options);
    },
    '/auth/passkeys': async (body, response) => {
      const verification = await verifyRegistrationResponse({
        response: body.response as Parameters<typeof verifyRegistrationResponse>[0]['response'],
        expectedChallenge: app.state.challenge ?? '',
        expectedOrigin: app.url,
        expectedRPID: rpID,
        requireUserVerification: true,
      });
      if (!verification.verified) return send(response, 400, { error: 'passkey_not_verified' });
      const { credential, credentialDeviceType, credentialBackedUp } =
        verification.registrationInfo;
      app.state.credential = credential;
      send(response, 201, {
        id: credential.id,
        name: body.name,
        createdAt: Math.floor(Date.now() / 1000),
        deviceType: credentialDeviceType,
        backedUp: credentialBackedUp,
      });
    },
    '/auth/step-up/passkey/options': async (_body, response) => {
      const options = await generateAuthenticationOptions({
        rpID,
        allowCredentials: app.state.credential ? [{ id: app.state.credential.id }] : [],
        userVerification: 'required',
      });
      app.state.challenge = options.challenge;
      send(response, 200, options);
    },
    '/auth/step-up/passkey': async (body, response) => {
      const { credential, challenge } = app.state;
      if (!credential || !challenge) return send(response, 400, { error: 'challenge_expired' });
      app.state.challenge = undefined;
      const verification = await verifyAuthenticationResponse({
        response: body.response as Parameters<typeof verifyAuthenticationResponse>[0]['response'],
        expectedChallenge: challenge,
        expectedOrigin: app.url,
        expectedRPID: rpID,
        credential,
        requireUserVerification: true,
      });
      if (!verification.verified) return send(response, 400, { error: 'passkey_not_verified' });
      app.state.passkeyVerified = true;
      app.state.confirmed = true;
      send(response, 200, confirmed('passkey'));
    },
    '/auth/step-up/password': (body, response) => {
      const { state } = app;
      if (state.codePending && body.code !== undefined) {
        if (body.code !== CODE) return send(response, 400, { error: 'invalid_code' });
        state.confirmed = true;
        return send(response, 200, confirmed('password'));
      }
      if (body.password !== PASSWORD) return send(response, 400, { error: 'invalid_credentials' });
      if (state.hasCode) {
        state.codePending = true;
        return send(response, 200, { status: 'code_required', factor: 'totp' });
      }
      state.confirmed = true;
      send(response, 200, confirmed('password'));
    },
  };

  const server = createServer((request, response) => {
    void (async () => {
      const path = new URL(request.url ?? '/', app.url).pathname;
      if (request.method === 'GET') {
        const asset: Record<string, [string, string]> = {
          '/': ['text/html; charset=utf-8', PAGE],
          '/app.js': ['text/javascript', APP_JS],
          '/step-up-fetch.js': ['text/javascript', readFileSync(BUNDLE, 'utf8')],
          '/authorize': ['text/html; charset=utf-8', '<!doctype html><title>Sign in</title>'],
        };
        const found = asset[path];
        if (!found) return send(response, 404, { error: 'not_found' });
        response.writeHead(200, {
          'content-type': found[0],
          'content-security-policy': CSP,
          ...(path === '/'
            ? { 'set-cookie': `${SESSION_COOKIE}; Path=/; HttpOnly; SameSite=Lax` }
            : {}),
        });
        return response.end(found[1]);
      }
      const body = (await readJson(request)) ?? {};
      app.state.received.push({
        path,
        cookie: request.headers.cookie,
        csrf: request.headers['x-csrf-token'] as string | undefined,
        contentType: request.headers['content-type'],
        body,
      });
      const route = routes[path];
      if (!route) return send(response, 404, { error: 'not_found' });
      if (!path.startsWith('/api/') && path.startsWith('/auth/step-up/')) {
        if (request.headers.cookie !== SESSION_COOKIE) return send(response, 401, {});
        if (typeof body.ticket !== 'string' || !app.state.tickets.has(body.ticket)) {
          return send(response, 400, { error: 'invalid_request' });
        }
      }
      await route(body, response);
    })().catch((error: unknown) => send(response, 500, { error: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  app.url = `http://localhost:${(server.address() as AddressInfo).port}`;
  app.reset = (options = {}) => {
    app.state = { ...freshState(), ...options };
  };
  app.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return app;
}
