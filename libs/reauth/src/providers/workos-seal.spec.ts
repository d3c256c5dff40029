import { WorkOS } from '@workos-inc/node';
import { WorkOS as WorkOS8 } from 'workos-node-8';
import { NOT_OPENED, openWorkOSSeal } from './workos-seal';

const PASSWORD = 'a-cookie-password-of-at-least-32-characters!';
const OTHER_PASSWORD = 'another-cookie-password-of-32-characters-too';

/** The SDK's own sealing (what its code exchange and refresh use), reached past its types. */
interface SdkSealing {
  sealSessionDataFromAuthenticationResponse(input: {
    authenticationResponse: Record<string, unknown>;
    cookiePassword: string;
  }): Promise<string>;
  getSessionFromCookie(input: { sessionData: string; cookiePassword: string }): Promise<unknown>;
}

const sdks: [string, SdkSealing][] = [
  ['@workos-inc/node', new WorkOS('sk_test_seal').userManagement as unknown as SdkSealing],
  ['@workos-inc/node 8', new WorkOS8('sk_test_seal').userManagement as unknown as SdkSealing],
];

const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
// The SDK reads the organization from the token when it seals: it must be a JWT's shape.
const accessToken = (n: number) =>
  `${segment({ alg: 'RS256', kid: 'k' })}.${segment({ sub: `user_${n}`, sid: `session_${n}`, pad: 'p'.repeat(n) })}.signature`;
const session = (n: number) => ({
  accessToken: accessToken(n),
  refreshToken: `refresh_${n}`,
  user: {
    id: `user_${n}`,
    email: `user${n}+tag@example.com`,
    firstName: 'Zoë “Q”',
    lastName: null,
  },
  authenticationMethod: 'Password',
  impersonator: n % 2 === 0 ? { email: 'admin@example.com', reason: 'support' } : undefined,
});

describe.each(sdks)('openWorkOSSeal, against %s', (_name, sdk) => {
  const seal = (n: number, password = PASSWORD) =>
    sdk.sealSessionDataFromAuthenticationResponse({
      authenticationResponse: session(n),
      cookiePassword: password,
    });
  const sdkOpens = async (sealed: string, password = PASSWORD) => {
    try {
      const contents = await sdk.getSessionFromCookie({
        sessionData: sealed,
        cookiePassword: password,
      });
      // The SDK answers {} for a seal that does not authenticate.
      return contents && Object.keys(contents).length > 0 ? contents : undefined;
    } catch {
      return undefined;
    }
  };
  /** Ours, with NOT_OPENED standing for "the SDK reads it". */
  const opens = (sealed: string, password = PASSWORD) => {
    const contents = openWorkOSSeal(sealed, password);
    return contents === NOT_OPENED ? sdkOpens(sealed, password) : contents;
  };

  it('opens what the SDK seals, to exactly what the SDK opens', async () => {
    for (const n of [0, 1, 2, 50, 700]) {
      const sealed = await seal(n);
      const contents = openWorkOSSeal(sealed, PASSWORD);
      expect(contents).not.toBe(NOT_OPENED);
      expect(contents).toEqual(await sdkOpens(sealed));
      expect(contents).toMatchObject({ accessToken: session(n).accessToken });
    }
  });

  it('opens nothing under another password', async () => {
    const sealed = await seal(3);
    expect(openWorkOSSeal(sealed, OTHER_PASSWORD)).toBeUndefined();
    expect(await sdkOpens(sealed, OTHER_PASSWORD)).toBeUndefined();
  });

  it('opens no seal altered in any character, as the SDK opens none', async () => {
    const sealed = await seal(4);
    const iron = sealed.slice(0, -2);
    // One character changed in each part (its first, and one in the middle of the longest).
    const positions = new Set<number>();
    let start = 0;
    for (const part of iron.split('*')) {
      if (part.length > 0) positions.add(start);
      positions.add(start + Math.floor(part.length / 2));
      start += part.length + 1;
    }
    for (const at of positions) {
      if (iron[at] === '*') continue;
      const swapped = iron[at] === 'A' ? 'B' : 'A';
      const altered = `${iron.slice(0, at)}${swapped}${iron.slice(at + 1)}~2`;
      expect(await opens(altered)).toBeUndefined();
      expect(await sdkOpens(altered)).toBeUndefined();
    }
  });

  it('leaves a password shorter than iron’s 32 characters to the SDK, which refuses it', async () => {
    const sealed = await seal(7);
    expect(openWorkOSSeal(sealed, 'short')).toBe(NOT_OPENED);
    expect(openWorkOSSeal(sealed, '')).toBe(NOT_OPENED);
    expect(await opens(sealed, 'short')).toBeUndefined();
  });

  it('refuses a seal whose MAC was cut short or lengthened', async () => {
    const sealed = await seal(5);
    const iron = sealed.slice(0, -2);
    expect(openWorkOSSeal(`${iron.slice(0, -4)}~2`, PASSWORD)).toBeUndefined();
    expect(openWorkOSSeal(`${iron}AAAA~2`, PASSWORD)).toBeUndefined();
  });

  it('leaves every other shape to the SDK', async () => {
    const sealed = await seal(6);
    const iron = sealed.slice(0, -2);
    const parts = iron.split('*');
    const withPart = (index: number, value: string) =>
      `${parts.map((part, i) => (i === index ? value : part)).join('*')}~2`;
    // Shapes the SDK still opens (the version suffix is outside the MAC), and shapes it refuses.
    const openedBySdk = [iron, `${iron}~1`, `${iron}~2~2`];
    const refused = [
      withPart(0, 'Fe26.1'),
      withPart(1, '2'),
      withPart(1, ''),
      withPart(5, String(Date.now() + 60_000)), // an expiry the MAC does not cover
      withPart(3, 'not base64url!'),
      `${parts.slice(0, 7).join('*')}~2`,
      `${iron}*extra~2`,
      '',
      '~2',
    ];
    const contents = await sdkOpens(sealed);
    for (const shape of openedBySdk) {
      expect(openWorkOSSeal(shape, PASSWORD)).toBe(NOT_OPENED);
      expect(await opens(shape)).toEqual(contents);
    }
    for (const shape of refused) {
      expect(openWorkOSSeal(shape, PASSWORD)).toBe(NOT_OPENED);
      expect(await opens(shape)).toBeUndefined();
    }
  });
});
