// Confirmation inside the page, driven over HTTP as the dialog's script drives it (see
// test/reauth/step-up-passkeys.e2e-spec.ts): passkeys made and used by the software
// authenticator (real P-256 keys and signatures), and the AuthKit password of the emulator.
import {
  assertPasskey,
  createPasskey,
  type SoftwareCredential,
} from '../test/support/software-authenticator';
import type { ConfirmationPlan } from './confirmation';
import { ALICE, ROUTE, STEP_UP_RP_ID, pageOrigin } from './config';

/** The library's default routes (`routes.stepUp`, `routes.passkeys`). */
export const STEP_UP = {
  passkeyOptions: '/auth/step-up/passkey/options',
  passkey: '/auth/step-up/passkey',
  password: '/auth/step-up/password',
  registrationOptions: '/auth/passkeys/registration/options',
  passkeys: '/auth/passkeys',
} as const;

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** A JSON request from the app's own page (its origin), with the session cookie `cookie`. */
export async function pageCall(
  appUrl: string,
  cookie: string,
  path: string,
  body?: unknown,
): Promise<Answer> {
  const res = await fetch(`${appUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    redirect: 'manual',
    signal: AbortSignal.timeout(10_000),
    headers: {
      accept: 'application/json',
      origin: pageOrigin(appUrl),
      cookie,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    // Not JSON: nothing to read.
  }
  return { status: res.status, body: parsed };
}

function expectAnswer(what: string, answer: Answer, status: number, field?: [string, unknown]) {
  if (answer.status !== status || (field && answer.body[field[0]] !== field[1])) {
    throw new Error(
      `${what}: got ${answer.status} ${JSON.stringify(answer.body)}, expected ${status}` +
        (field ? ` with ${field[0]} ${String(field[1])}` : ''),
    );
  }
}

const ceremony = (appUrl: string, challenge: unknown) => ({
  challenge: String(challenge),
  origin: pageOrigin(appUrl),
  rpId: STEP_UP_RP_ID,
});

/**
 * Enrols a new passkey through the app's routes for the session of `cookie` (signed in within
 * the last 300 s). Its signature counter stays 0, as with most synced passkeys: the counter check
 * then never refuses a confirmation that another connection's ran alongside.
 */
export async function enrolPasskey(appUrl: string, cookie: string): Promise<SoftwareCredential> {
  const options = await pageCall(appUrl, cookie, STEP_UP.registrationOptions, {});
  expectAnswer('the passkey registration options', options, 200);
  const { credential, response } = createPasskey(ceremony(appUrl, options.body.challenge));
  const created = await pageCall(appUrl, cookie, STEP_UP.passkeys, { name: 'Bench', response });
  expectAnswer('the passkey registration', created, 201);
  return credential;
}

/** One passkey confirmation (options, then a fresh assertion) for the session of `cookie`. */
export async function confirmWithPasskey(
  appUrl: string,
  cookie: string,
  credential: SoftwareCredential,
): Promise<{ answer: Answer; response: Record<string, unknown> }> {
  const options = await pageCall(appUrl, cookie, STEP_UP.passkeyOptions, {});
  expectAnswer('the passkey options', options, 200);
  const response = assertPasskey(credential, ceremony(appUrl, options.body.challenge));
  return { answer: await pageCall(appUrl, cookie, STEP_UP.passkey, { response }), response };
}

/** (i) A passkey confirmation: `POST passkey/options`, then `POST passkey` with its assertion. */
export function passkeyPlan(
  appUrl: string,
  cookie: string,
  credential: SoftwareCredential,
): ConfirmationPlan {
  return {
    steps: [
      {
        path: STEP_UP.passkeyOptions,
        body: () => '{}',
        read: (body, context) => {
          context.challenge = (JSON.parse(body) as { challenge?: unknown }).challenge;
        },
      },
      {
        path: STEP_UP.passkey,
        // Signed in the load generator as each confirmation goes: the challenge is the server's.
        body: (context) =>
          JSON.stringify({
            response: assertPasskey(credential, ceremony(appUrl, context.challenge)),
          }),
      },
    ],
    async prove() {
      const { answer, response } = await confirmWithPasskey(appUrl, cookie, credential);
      expectAnswer('(i) a passkey confirmation', answer, 200, ['method', 'passkey']);
      const replayed = await pageCall(appUrl, cookie, STEP_UP.passkey, { response });
      expectAnswer('(i) a replayed assertion', replayed, 400, ['error', 'challenge_expired']);
      const stranger = await pageCall(appUrl, '', STEP_UP.passkeyOptions, {});
      expectAnswer('(i) passkey options without a session', stranger, 401);
    },
  };
}

/** (j) A password confirmation: `POST password` with alice's AuthKit password. */
export function passwordPlan(appUrl: string, cookie: string): ConfirmationPlan {
  return {
    steps: [{ path: STEP_UP.password, body: () => JSON.stringify({ password: ALICE.password }) }],
    async prove() {
      const right = await pageCall(appUrl, cookie, STEP_UP.password, { password: ALICE.password });
      expectAnswer('(j) a password confirmation', right, 200, ['method', 'password']);
      const wrong = await pageCall(appUrl, cookie, STEP_UP.password, { password: 'wrong' });
      expectAnswer('(j) a wrong password', wrong, 400, ['error', 'invalid_credentials']);
    },
  };
}

/**
 * (k) A stale session whose ledger holds a passkey proof: enrols a passkey with a fresh sign-in
 * (`freshCookie`), then confirms with it in the stale session (`staleCookie`, signed in 1000 s
 * ago). Fails unless the stale session was refused (`stale`) before its confirmation and passes
 * after, and another stale session of the same user, without a proof, is still refused.
 */
export async function proveLedgerSession(
  appUrl: string,
  freshCookie: string,
  staleCookie: string,
  otherStaleCookie: string,
): Promise<void> {
  const credential = await enrolPasskey(appUrl, freshCookie);
  const before = await pageCall(appUrl, staleCookie, ROUTE);
  expectAnswer('(k) the stale session before its confirmation', before, 401, ['reason', 'stale']);
  const { answer } = await confirmWithPasskey(appUrl, staleCookie, credential);
  expectAnswer('(k) the stale session’s passkey confirmation', answer, 200, ['method', 'passkey']);
  expectAnswer('(k) the stale session after it', await pageCall(appUrl, staleCookie, ROUTE), 200);
  const other = await pageCall(appUrl, otherStaleCookie, ROUTE);
  expectAnswer('(k) another stale session of the same user', other, 401, ['reason', 'stale']);
}
