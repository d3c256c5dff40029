import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import {
  GraphQLError,
  locatedError,
  parse,
  type FieldNode,
  type OperationDefinitionNode,
} from 'graphql';
import { graphqlTarget, reauthRequestOf } from './graphql-context';
import { ReauthGraphQLError } from './reauth-graphql.error';

/** The arguments Nest gives a resolver's guards: `root, args, context, info`. */
function resolverHost(context: unknown, operation = 'query'): ExecutionContextHost {
  const host = new ExecutionContextHost([
    undefined,
    {},
    context,
    { fieldName: 'balance', parentType: { name: 'Query' }, operation: { operation } },
  ]);
  host.setType('graphql');
  return host;
}

describe('graphqlTarget', () => {
  const request = { method: 'POST', headers: { host: 'app.example' } };

  it('reads the request and response of the GraphQL context', () => {
    const res = { statusCode: 200 };
    expect(graphqlTarget(resolverHost({ req: request, res }))).toEqual({
      kind: 'operation',
      request,
      response: res,
      field: 'Query.balance',
    });
  });

  it('finds the response through Express’s req.res when the context has no res', () => {
    const res = { statusCode: 200 };
    const req = { ...request, res };
    expect(graphqlTarget(resolverHost({ req }))).toMatchObject({ request: req, response: res });
    expect(graphqlTarget(resolverHost({ req: request }))).toMatchObject({ response: undefined });
  });

  it('tells a subscription apart, whatever its context holds', () => {
    expect(graphqlTarget(resolverHost({ req: request }, 'subscription'))).toEqual({
      kind: 'subscription',
      field: 'Query.balance',
    });
  });

  it.each([
    ['no context', undefined],
    ['a context without req', { user: 'x' }],
    ['a req without headers', { req: { method: 'POST' } }],
    ['a req without a method', { req: { headers: {} } }],
    ['a req that is a string', { req: 'GET /' }],
  ])('reports %s as no-request', (_case, context) => {
    expect(graphqlTarget(resolverHost(context))).toMatchObject({ kind: 'no-request' });
    expect(reauthRequestOf(resolverHost(context))).toBeUndefined();
  });

  it('never takes a WebSocket upgrade request for the request of an operation', () => {
    const upgrade = {
      method: 'GET',
      url: '/graphql',
      headers: { upgrade: 'WebSocket', connection: 'Upgrade', cookie: 'wos-session=x' },
    };
    expect(graphqlTarget(resolverHost({ req: upgrade }))).toMatchObject({ kind: 'no-request' });
  });

  it('names an unknown field with ? rather than failing', () => {
    const host = new ExecutionContextHost([undefined, {}, { req: request }, null]);
    host.setType('graphql');
    expect(graphqlTarget(host)).toMatchObject({ kind: 'operation', field: '?.?' });
  });

  it('gives the route’s request for HTTP, the context’s for GraphQL', () => {
    const http = new ExecutionContextHost([request, {}]);
    http.setType('http');
    expect(reauthRequestOf(http)).toBe(request);
    expect(reauthRequestOf(resolverHost({ req: request }))).toBe(request);
  });
});

describe('ReauthGraphQLError', () => {
  const document = parse('{ balance }');
  const field = (document.definitions[0] as OperationDefinitionNode).selectionSet
    .selections[0] as FieldNode;

  it('reaches the GraphQL response with its extensions, as graphql-js reports it', () => {
    const cause = new Error('the token of user_123');
    const error = new ReauthGraphQLError(
      'More recent authentication is required.',
      {
        code: 'REAUTH_REQUIRED',
        reason: 'stale',
        maxAge: 300,
        acrValues: undefined,
        reauthUrl: 'https://auth.example/authorize?state=s',
      },
      { cause },
    );
    const located = locatedError(error, [field], ['balance']);
    expect(located).toBeInstanceOf(GraphQLError);
    expect(located.originalError).toBe(error);
    expect(JSON.parse(JSON.stringify(located))).toEqual({
      message: 'More recent authentication is required.',
      locations: [{ line: 1, column: 3 }],
      path: ['balance'],
      extensions: {
        code: 'REAUTH_REQUIRED',
        reason: 'stale',
        maxAge: 300,
        reauthUrl: 'https://auth.example/authorize?state=s',
      },
    });
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('ReauthGraphQLError');
  });
});

describe('the library without GraphQL', () => {
  it('loads without graphql or @nestjs/graphql', () => {
    jest.isolateModules(() => {
      const loaded: string[] = [];
      for (const name of ['graphql', '@nestjs/graphql', '@nestjs/apollo', '@apollo/server']) {
        jest.doMock(name, () => {
          loaded.push(name);
          return {};
        });
      }
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const library = require('../index') as Record<string, unknown>;
      expect(library.RecentAuthGuard).toBeDefined();
      expect(library.ReauthExceptionFilter).toBeDefined();
      expect(loaded).toEqual([]);
    });
  });
});
