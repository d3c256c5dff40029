import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import {
  GraphQLError,
  locatedError,
  parse,
  type FieldNode,
  type OperationDefinitionNode,
} from 'graphql';
import { fastifyReplyOf, linkFastifyReplies } from './fastify-replies';
import { graphqlTarget, reauthRequestOf } from './graphql-context';
import { writeHeader } from './graphql-exchange';
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

  it('takes the reply Mercurius puts in the context', () => {
    const reply = { sent: false };
    expect(graphqlTarget(resolverHost({ req: request, reply }))).toMatchObject({
      request,
      response: reply,
    });
  });

  it('finds the Fastify reply of a context that holds only the request (Apollo on Fastify)', () => {
    let hook: ((request: object, reply: object, done: () => void) => void) | undefined;
    linkFastifyReplies({ addHook: (_name, added) => (hook = added) });
    const req = { ...request };
    const reply = { sent: false };
    const done = jest.fn();
    hook!(req, reply, done);
    expect(done).toHaveBeenCalledWith();
    expect(fastifyReplyOf(req)).toBe(reply);
    expect(graphqlTarget(resolverHost({ req }))).toMatchObject({ request: req, response: reply });
    // Another request's reply is never taken.
    expect(graphqlTarget(resolverHost({ req: { ...request } }))).toMatchObject({
      response: undefined,
    });
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

describe('writeHeader', () => {
  /** Fastify's adapter: `appendHeader` replaces, except for `Set-Cookie`, which it keeps. */
  function fastifyLike() {
    const headers: Record<string, string | string[]> = {};
    const reply = { sent: false };
    const write = (_reply: unknown, name: string, value: string) => {
      const key = name.toLowerCase();
      const existing = headers[key];
      headers[key] =
        key === 'set-cookie' && existing !== undefined ? [existing, value].flat() : value;
    };
    const adapter = {
      setHeader: jest.fn(write),
      appendHeader: jest.fn(write),
      isHeadersSent: () => reply.sent,
    };
    return { headers, reply, adapter };
  }
  const request = () => ({ method: 'POST', headers: {} });

  it('keeps every challenge of a request as one list, each once', () => {
    const { headers, reply, adapter } = fastifyLike();
    const req = request();
    for (const value of ['Bearer a="1"', 'Bearer b="2"', 'Bearer a="1"']) {
      writeHeader(adapter, req, reply, { name: 'WWW-Authenticate', value, append: true });
    }
    expect(headers['www-authenticate']).toBe('Bearer a="1", Bearer b="2"');
  });

  it('appends cookies, replaces other headers, and writes nothing once the reply is sent', () => {
    const { headers, reply, adapter } = fastifyLike();
    const req = request();
    writeHeader(adapter, req, reply, { name: 'Set-Cookie', value: 'a=1', append: true });
    writeHeader(adapter, req, reply, { name: 'Set-Cookie', value: 'b=2', append: true });
    writeHeader(adapter, req, reply, { name: 'Retry-After', value: '5' });
    reply.sent = true;
    writeHeader(adapter, req, reply, { name: 'Cache-Control', value: 'no-store' });
    expect(headers).toEqual({ 'set-cookie': ['a=1', 'b=2'], 'retry-after': '5' });
  });

  it('writes nothing without a response, and survives one that refuses headers', () => {
    const { adapter } = fastifyLike();
    writeHeader(adapter, request(), undefined, { name: 'Retry-After', value: '5' });
    expect(adapter.setHeader).not.toHaveBeenCalled();
    adapter.setHeader.mockImplementation(() => {
      throw new TypeError('Invalid character in header content');
    });
    expect(() =>
      writeHeader(adapter, request(), {}, { name: 'Retry-After', value: '5' }),
    ).not.toThrow();
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
