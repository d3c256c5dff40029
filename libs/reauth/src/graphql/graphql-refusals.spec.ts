import { ReauthRequiredException } from '../exceptions/reauth-required.exception';
import { GraphQLRefusals } from './graphql-refusals';

describe('GraphQLRefusals: one sign-in per request and challenge', () => {
  /** Refusals whose starter records what each sign-in it starts asks for. */
  function refusalsRecordingStarts() {
    const started: unknown[] = [];
    const starter = {
      startRefused: (_request: unknown, details: Record<string, unknown>) => {
        started.push(details);
        return Promise.resolve({
          authorizationUrl: `https://idp.test/authorize?n=${started.length}`,
          setCookie: `wos-reauth=${started.length}; Path=/`,
        });
      },
    };
    const adapter = { setHeader() {}, appendHeader() {}, isHeadersSent: () => false };
    const refusals = new GraphQLRefusals(
      { httpAdapter: adapter } as never,
      starter as never,
      { required() {}, explainHeader: () => undefined } as never,
      { offer: () => Promise.resolve(undefined) } as never,
    );
    const request = { method: 'POST', headers: {} };
    const target = {
      kind: 'operation' as const,
      request: request as never,
      response: {},
      field: 'Query.x',
    };
    return { refusals, target, started };
  }

  const relayed = (details: Record<string, unknown>) =>
    new ReauthRequiredException({ reason: 'insufficient_assurance', sub: 'u', ...details });

  it.each([
    ['scope', { scope: ['payments:write'] }, { scope: ['files:write'] }],
    ['acrs', { acrs: ['c1'] }, { acrs: ['c2'] }],
    [
      'claims',
      { claims: { access_token: { acrs: { essential: true, value: 'c1' } } } },
      { claims: { access_token: { nbf: { essential: true, value: '1' } } } },
    ],
  ])('starts a sign-in for each relayed %s of the same request', async (_name, first, second) => {
    const { refusals, target, started } = refusalsRecordingStarts();
    const a = await refusals.errorFor(relayed(first), target);
    const b = await refusals.errorFor(relayed(second), target);
    expect(started).toEqual([expect.objectContaining(first), expect.objectContaining(second)]);
    expect(b.extensions.reauthUrl).not.toBe(a.extensions.reauthUrl);
  });

  it('shares one sign-in between fields refused with the same challenge', async () => {
    const { refusals, target, started } = refusalsRecordingStarts();
    const a = await refusals.errorFor(relayed({ scope: ['files:write'] }), target);
    const b = await refusals.errorFor(relayed({ scope: ['files:write'] }), target);
    expect(started).toHaveLength(1);
    expect(b.extensions.reauthUrl).toBe(a.extensions.reauthUrl);
  });
});
