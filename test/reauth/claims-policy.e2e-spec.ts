import { type AppInstance, type Deployment, startDeployment } from '../support/reauth-deployment';

const ALICE = 'alice@example.com';
const AUDIENCE = ['https://api.example', 'urn:payments'];

describe('Claims policy', () => {
  let deployment: Deployment;
  let instance: AppInstance;
  let withAudience: Deployment;

  beforeAll(async () => {
    deployment = await startDeployment();
    [instance] = deployment.instances;
    withAudience = await startDeployment({ reauth: () => ({ audience: AUDIENCE }) });
  });
  afterAll(async () => {
    await deployment.close();
    await withAudience.close();
  });

  const now = () => deployment.emulator.now();
  const mint = (target: Deployment, claims: Record<string, unknown>) =>
    target.emulator.mintAccessToken({ email: ALICE, authTime: target.emulator.now(), claims });
  const call = (target: AppInstance, path: string, token: string) =>
    fetch(`${target.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

  async function expectInvalid(res: Response): Promise<void> {
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'reauth_required', reason: 'invalid_token' });
  }

  describe('iat', () => {
    it.each([
      ['just beyond the tolerance', () => now() + 6],
      ['a minute ahead', () => now() + 60],
      ['in milliseconds', () => now() * 1000],
      ['far ahead', () => 1e13],
    ])('refuses a token issued in the future: %s', async (_label, iat) => {
      await expectInvalid(
        await call(instance, '/signed-in', await mint(deployment, { iat: iat() })),
      );
    });

    it('accepts a token issued ahead by no more than the tolerance', async () => {
      const res = await call(instance, '/signed-in', await mint(deployment, { iat: now() + 5 }));
      expect(res.status).toBe(200);
    });

    it.each([
      ['missing', null],
      ['a string', '1735680000'],
      ['an array', [1]],
      ['an object', {}],
      ['a boolean', true],
    ])('refuses a token whose iat is %s', async (_label, iat) => {
      await expectInvalid(await call(instance, '/signed-in', await mint(deployment, { iat })));
    });
  });

  describe('aud, when an audience is configured', () => {
    const target = () => withAudience.instances[0];

    it.each([
      ['one of the accepted values', 'urn:payments'],
      ['an array holding an accepted value', ['https://other.example', 'https://api.example']],
    ])('accepts %s', async (_label, aud) => {
      const res = await call(target(), '/signed-in', await mint(withAudience, { aud }));
      expect(res.status).toBe(200);
    });

    it.each([
      ['missing', null],
      ['another audience', 'https://other.example'],
      ['an accepted value with a different case', 'URN:payments'],
      ['an empty string', ''],
      ['an empty array', []],
      ['an array of other audiences', ['https://other.example']],
      ['a number', 1],
      ['an array of a number', [1]],
      ['an object', { aud: 'urn:payments' }],
      ['a boolean', true],
    ])('refuses a token whose aud is %s', async (_label, aud) => {
      await expectInvalid(await call(target(), '/signed-in', await mint(withAudience, { aud })));
    });

    it('does not check aud when no audience is configured', async () => {
      const res = await call(
        instance,
        '/signed-in',
        await mint(deployment, { aud: 'https://other.example' }),
      );
      expect(res.status).toBe(200);
    });
  });

  describe('the claims handed to handlers', () => {
    it.each([['role'], ['sub'], ['permissions']])(
      'cannot be changed by one request for the next (%s)',
      async (claim) => {
        const token = await mint(deployment, {});
        const original = (await (await call(instance, '/signed-in', token)).json()) as object;
        const mutated = await call(instance, `/mutate-claims?claim=${claim}`, token);
        expect(mutated.status).toBe(500); // a frozen object throws in strict code
        const next = await call(instance, '/signed-in', token);
        expect(next.status).toBe(200);
        expect(await next.json()).toEqual(original);
      },
    );
  });
});
