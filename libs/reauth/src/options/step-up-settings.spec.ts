import { MemoryPasskeyCredentialStore } from '../stores/memory-passkey-credential.store';
import { resolveReauthSetup } from './reauth.options';

const WORKOS = {
  apiKey: 'sk_test_x',
  clientId: 'client_x',
  redirectUri: 'https://app.example.com/auth/callback',
  cookiePassword: 'p'.repeat(32),
};
const OIDC = { ...WORKOS, apiKey: undefined, oidc: { issuer: 'https://idp.example/' } };
const PASSKEYS = {
  rpId: 'example.com',
  rpName: 'Example',
  origins: ['https://app.example.com'],
  credentials: new MemoryPasskeyCredentialStore(),
};

const stepUpOf = (options: object) => resolveReauthSetup(options as never).stepUp;

describe('the stepUp option', () => {
  it('is off unless asked for: no in-page method at all', () => {
    expect(stepUpOf(WORKOS)).toEqual({ password: false, proofLifetimeSeconds: 3600 });
  });

  it('offers passwords where the provider can check them, and passkeys when configured', () => {
    expect(stepUpOf({ ...WORKOS, stepUp: {} })).toEqual({
      passkeys: undefined,
      password: true,
      proofLifetimeSeconds: 3600,
    });
    expect(stepUpOf({ ...OIDC, stepUp: { passkeys: PASSKEYS } })).toEqual({
      passkeys: {
        ...PASSKEYS,
        challengeSeconds: 120,
        maxPerUser: 10,
        enrolMaxAge: 300,
      },
      password: false,
      proofLifetimeSeconds: 3600,
    });
  });

  it.each([
    [{ password: true }, OIDC, 'stepUp.password needs a provider that can check passwords'],
    [{ password: 'yes' }, WORKOS, 'stepUp.password must be a boolean'],
    [[], WORKOS, 'stepUp must be an object'],
    [
      { proofLifetimeSeconds: 30 },
      WORKOS,
      'stepUp.proofLifetimeSeconds must be an integer from 60',
    ],
    [{ passkeys: { ...PASSKEYS, rpId: 'Example.COM' } }, WORKOS, 'stepUp.passkeys.rpId must be'],
    [{ passkeys: { ...PASSKEYS, rpId: 'https://example.com' } }, WORKOS, 'rpId must be'],
    [{ passkeys: { ...PASSKEYS, rpName: '' } }, WORKOS, 'stepUp.passkeys.rpName is required'],
    [{ passkeys: { ...PASSKEYS, origins: [] } }, WORKOS, 'origins must be a non-empty array'],
    [
      { passkeys: { ...PASSKEYS, origins: ['https://evil.example'] } },
      WORKOS,
      'stepUp.passkeys.origins[0] (https://evil.example) must be on rpId example.com',
    ],
    [
      { passkeys: { ...PASSKEYS, origins: ['https://notexample.com'] } },
      WORKOS,
      'must be on rpId example.com',
    ],
    [{ passkeys: { ...PASSKEYS, origins: ['https://app.example.com/path'] } }, WORKOS, 'origin'],
    [{ passkeys: { ...PASSKEYS, credentials: {} } }, WORKOS, 'must extend PasskeyCredentialStore'],
    [{ passkeys: { ...PASSKEYS, challengeSeconds: 5 } }, WORKOS, 'challengeSeconds must be'],
    [{ passkeys: { ...PASSKEYS, maxPerUser: 0 } }, WORKOS, 'maxPerUser must be'],
    [{ passkeys: { ...PASSKEYS, enrolMaxAge: 0 } }, WORKOS, 'enrolMaxAge must be'],
  ])('refuses %j at start-up', (stepUp, base, message) => {
    expect(() => stepUpOf({ ...base, stepUp })).toThrow(message);
  });
});
