import { type ReauthEvent } from 'nest-workos-reauth';
import { GRAPHQL_DRIVERS, startGraphQLApp, type GraphQLScenario } from './support/graphql-app';

/** One GraphQL request is one refusal, however many of its fields are refused together. */
describe.each(GRAPHQL_DRIVERS)('Audit events of GraphQL requests (%s)', (driver) => {
  let scenario: GraphQLScenario;
  const events: ReauthEvent[] = [];

  beforeAll(async () => {
    scenario = await startGraphQLApp({
      driver,
      reauth: { events: { listener: (event) => void events.push(event) } },
    });
  });
  afterAll(() => scenario.close());
  beforeEach(() => {
    events.length = 0;
  });

  async function post(query: string, token?: string): Promise<void> {
    const res = await fetch(scenario.graphqlUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query }),
    });
    await res.text();
  }

  /** Every event of the request, once the turn that delivers them has passed. */
  async function settled(): Promise<ReauthEvent[]> {
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    return [...events];
  }

  it('reports 50 refused aliases of a field as one refusal and one started flow', async () => {
    const stale = await scenario.emulator.mintAccessToken({
      email: 'alice@example.com',
      authTime: scenario.emulator.now() - 301,
    });
    const aliases = Array.from({ length: 50 }, (_, i) => `a${i}: balance`).join(' ');
    await post(`{ ${aliases} }`, stale);
    const seen = await settled();
    expect(seen.map((event) => event.type)).toEqual(['reauth.required', 'reauth.started']);
    expect(seen[0]).toMatchObject({ reason: 'stale', maxAge: 300, userId: expect.any(String) });
  });

  it('reports 50 failing aliases of a field as one outage of the store', async () => {
    const aliases = Array.from(
      { length: 50 },
      (_, i) => `a${i}: refuseItself(kind: "unavailable")`,
    ).join(' ');
    await post(`{ ${aliases} }`);
    const seen = await settled();
    expect(seen.map((event) => event.type)).toEqual(['store.unavailable']);
  });

  it('still reports each request of its own', async () => {
    const stale = await scenario.emulator.mintAccessToken({
      email: 'alice@example.com',
      authTime: scenario.emulator.now() - 301,
    });
    await post('{ balance }', stale);
    await post('{ balance }', stale);
    const seen = await settled();
    expect(seen.filter((event) => event.type === 'reauth.required')).toHaveLength(2);
  });
});
