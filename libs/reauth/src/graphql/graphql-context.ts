import type { ArgumentsHost } from '@nestjs/common';
import type { ReauthRequest } from '../interfaces';
import { fastifyReplyOf } from './fastify-replies';

/**
 * What a GraphQL resolver call gives the library, read from the resolver's arguments
 * (`root, args, context, info`) without loading `graphql` or `@nestjs/graphql`:
 * - `operation`: a query or mutation field, with the HTTP request of the GraphQL context's `req`
 *   and the response where headers are written: the context's `res` or `reply` (Mercurius puts
 *   the Fastify reply there), else Express's `req.res`, else the Fastify reply of `req` (Apollo on
 *   Fastify puts only the request in the context);
 * - `subscription`: a subscription field, which the library does not guard;
 * - `no-request`: a context without a usable `req`.
 */
export type GraphQLTarget =
  | {
      kind: 'operation';
      request: ReauthRequest & { body?: unknown };
      response?: object;
      /** `Type.field` of the resolved field, for logs. */
      field: string;
    }
  | { kind: 'subscription'; field: string }
  | { kind: 'no-request'; field: string };

interface ResolveInfoLike {
  fieldName?: unknown;
  parentType?: { name?: unknown };
  operation?: { operation?: unknown };
}

/** Whether a handler runs as a GraphQL resolver (`@nestjs/graphql` sets this context type). */
export function isGraphQLHost(host: ArgumentsHost): boolean {
  return host.getType<string>() === 'graphql';
}

/** The request, response and operation type of a GraphQL resolver call. */
export function graphqlTarget(host: ArgumentsHost): GraphQLTarget {
  const args = host.getArgs<unknown[]>();
  const context = args[2];
  const info = (isObject(args[3]) ? args[3] : {}) as ResolveInfoLike;
  const field = `${nameOf(info.parentType?.name)}.${nameOf(info.fieldName)}`;
  if (info.operation?.operation === 'subscription') return { kind: 'subscription', field };
  const { req, res, reply } = (isObject(context) ? context : {}) as Record<string, unknown>;
  // A WebSocket's upgrade request (graphql-ws) says nothing of the operation sent over it: its
  // method, origin and cookies are the connection's, so it cannot stand in for an HTTP request.
  if (!isRequest(req) || isUpgrade(req)) return { kind: 'no-request', field };
  // Express links the response to its request; an app's own context may name it `res`.
  const response = [res, reply, (req as { res?: unknown }).res, fastifyReplyOf(req)].find(isObject);
  return { kind: 'operation', request: req, response, field };
}

/**
 * The HTTP request behind a guarded handler: the route's request, or for a GraphQL resolver the
 * request in its context (`undefined` when the context has none).
 */
export function reauthRequestOf(host: ArgumentsHost): ReauthRequest | undefined {
  if (!isGraphQLHost(host)) return host.switchToHttp().getRequest<ReauthRequest>();
  const target = graphqlTarget(host);
  return target.kind === 'operation' ? target.request : undefined;
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function isRequest(value: unknown): value is ReauthRequest {
  return (
    isObject(value) &&
    typeof (value as { method?: unknown }).method === 'string' &&
    isObject((value as { headers?: unknown }).headers)
  );
}

function nameOf(value: unknown): string {
  return typeof value === 'string' ? value : '?';
}

function isUpgrade(request: ReauthRequest): boolean {
  const upgrade = request.headers.upgrade;
  return typeof upgrade === 'string' && upgrade.toLowerCase() === 'websocket';
}
