import { createReauthFetch, type ReauthInfo } from './index.js';
import {
  FakeWindow,
  fakeApp,
  ORIGIN,
  PASSKEY_METHOD,
  PASSWORD_METHOD,
  PROVIDER_METHOD,
  REAUTH_URL,
  TICKET,
} from './step-up.fake.js';
import { readStepUpOffer, sameOriginPath } from './step-up.protocol.js';

// Where no way to confirm in the page fits, everything happens as before `stepUp` existed: the
// app is asked without `methods`, and the provider's popup re-authenticates.

/** A refused request, left to the popup; what the app was told, and which popup opened. */
async function providerOnly(
  stepUp: unknown,
  options: { url?: string; ask?: boolean; authorizationOrigins?: string[] } = {},
): Promise<{ info?: ReauthInfo; popups: string[]; confirmations: number }> {
  const app = fakeApp({ stepUp });
  const win = new FakeWindow();
  const asked: ReauthInfo[] = [];
  const api = createReauthFetch({
    window: win,
    fetch: app.fetch,
    authorizationOrigins: options.authorizationOrigins,
    ...(options.ask === false
      ? {}
      : {
          onReauthRequired: (info) => {
            asked.push(info);
            return true;
          },
        }),
  });
  const pending = api(options.url ?? `${ORIGIN}/api/x`);
  for (let turns = 0; win.popups.length === 0; turns++) {
    if (turns > 1000) throw new Error('no popup opened');
    await new Promise((resolve) => setImmediate(resolve));
  }
  app.state.confirmed = true;
  win.reportOk();
  expect((await pending).status).toBe(200);
  const confirmations = app.state.seen.filter(({ url }) => !url.includes('/api/')).length;
  return { info: asked[0], popups: win.popups.map(({ url }) => url), confirmations };
}

describe('createReauthFetch: when nothing can be confirmed in the page', () => {
  // Only the popup's watch is faked: a popup a failing test leaves open cannot hold Jest.
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['setTimeout', 'setImmediate', 'nextTick', 'queueMicrotask'] });
  });
  afterEach(() => {
    jest.useRealTimers();
    delete (globalThis as { PublicKeyCredential?: unknown }).PublicKeyCredential;
  });
  const withWebAuthn = () => Object.assign(globalThis, { PublicKeyCredential: class {} });

  it.each([
    ['no stepUp', undefined],
    ['only the provider', { ticket: TICKET, methods: [PROVIDER_METHOD] }],
    ['no ticket', { methods: [PASSWORD_METHOD] }],
    ['an empty ticket', { ticket: '', methods: [PASSWORD_METHOD] }],
    ['unknown kinds', { ticket: TICKET, methods: [{ kind: 'sms', confirmUrl: '/sms' }] }],
    ['methods that are not a list', { ticket: TICKET, methods: PASSWORD_METHOD }],
  ])('with %s, asks without methods and opens the popup', async (_case, stepUp) => {
    withWebAuthn();
    const { info, popups, confirmations } = await providerOnly(stepUp);
    expect(info?.methods).toBeUndefined();
    expect(info).not.toHaveProperty('confirmWithPassword');
    expect(popups).toEqual([REAUTH_URL]);
    expect(confirmations).toBe(0);
  });

  it('drops the passkey where the browser has no WebAuthn', async () => {
    const passkeyOnly = { ticket: TICKET, methods: [PASSKEY_METHOD, PROVIDER_METHOD] };
    const { info, popups } = await providerOnly(passkeyOnly);
    expect(info?.methods).toBeUndefined();
    expect(popups).toEqual([REAUTH_URL]);
  });

  it('takes no stepUp from another origin’s response', async () => {
    withWebAuthn();
    const stepUp = { ticket: TICKET, methods: [PASSWORD_METHOD] };
    const { info, popups } = await providerOnly(stepUp, {
      url: 'https://api.other.example/api/x',
      authorizationOrigins: ['https://auth.example'],
    });
    expect(info?.url).toBe(REAUTH_URL);
    expect(info?.methods).toBeUndefined();
    expect(popups).toEqual([REAUTH_URL]);
  });

  it('without onReauthRequired, goes straight to the popup as before', async () => {
    withWebAuthn();
    const stepUp = { ticket: TICKET, methods: [PASSKEY_METHOD, PASSWORD_METHOD] };
    const { popups, confirmations } = await providerOnly(stepUp, { ask: false });
    expect(popups).toEqual([REAUTH_URL]);
    expect(confirmations).toBe(0);
  });
});

describe('readStepUpOffer', () => {
  it.each([
    'https://evil.example/confirm',
    '//evil.example/confirm',
    '/\\evil.example',
    'confirm',
    '/con firm',
    '/confirm\u0000',
    '',
    42,
    null,
  ])('refuses %p as a confirmation URL', (url) => {
    expect(sameOriginPath(url, ORIGIN)).toBeUndefined();
    expect(
      readStepUpOffer({ ticket: TICKET, methods: [{ kind: 'password', confirmUrl: url }] }, ORIGIN),
    ).toEqual({ ticket: TICKET, methods: [] });
  });

  it('resolves same-origin paths against the page’s origin and keeps the first of each kind', () => {
    expect(
      readStepUpOffer(
        {
          ticket: TICKET,
          methods: [
            PASSWORD_METHOD,
            { kind: 'password', confirmUrl: '/other' },
            PASSKEY_METHOD,
            { kind: 'passkey', optionsUrl: '/o' },
          ],
        },
        ORIGIN,
      ),
    ).toEqual({
      ticket: TICKET,
      methods: [
        { kind: 'password', confirmUrl: `${ORIGIN}/auth/step-up/password` },
        {
          kind: 'passkey',
          optionsUrl: `${ORIGIN}/auth/step-up/passkey/options`,
          confirmUrl: `${ORIGIN}/auth/step-up/passkey`,
        },
      ],
    });
  });

  it.each([undefined, null, 'x', [], { methods: [] }, { ticket: 1, methods: [] }])(
    'reads nothing from %p',
    (value) => {
      expect(readStepUpOffer(value, ORIGIN)).toBeUndefined();
    },
  );

  it('refuses a ticket over 2048 characters', () => {
    const long = { ticket: 't'.repeat(2049), methods: [PASSWORD_METHOD] };
    expect(readStepUpOffer(long, ORIGIN)).toBeUndefined();
  });
});
