import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import type { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { RECENT_AUTH_METADATA_KEY } from '../core/constants';
import type { RecentAuthRequirement } from '../interfaces/route-requirement.interface';

/** `@nestjs/graphql`'s metadata names, read without loading it. */
const GRAPHQL_RESOLVER_TYPE = 'graphql:resolver_type';
const GRAPHQL_RESOLVER_NAME = 'graphql:resolver_name';
const GRAPHQL_FIELD_RESOLVER = 'graphql:resolve_property';

type Handler = (...args: unknown[]) => unknown;
type ClassOf = new (...args: never[]) => object;

/** A route or GraphQL field the app declares, with its requirement if it carries one. */
export interface DeclaredHandler {
  kind: 'http' | 'graphql';
  /** `POST /account/transfer`, or `Mutation.transfer` for GraphQL. */
  endpoint: string;
  /** `POST`, `GET`, ... for HTTP; `Query`, `Mutation`, `Subscription` or a field for GraphQL. */
  method: string;
  /** `AccountController.transfer`. */
  handlerName: string;
  /** The class that declares it. */
  owner: ClassOf;
  handler: Handler;
  /** The requirement (handler's, else its class's); absent when the handler carries none. */
  requirement?: RecentAuthRequirement;
  /** Whether it changes state: POST/PUT/PATCH/DELETE, or a GraphQL mutation. */
  writes: boolean;
  /** The Nest module that declares the class (an identity to compare; absent if unknown). */
  module?: object;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Every HTTP handler of the app's controllers and every GraphQL operation and field resolver of
 * its providers, in discovery order.
 */
export function declaredHandlers(
  discovery: DiscoveryService,
  scanner: MetadataScanner,
  reflector: Reflector,
): DeclaredHandler[] {
  const found: DeclaredHandler[] = [];
  const seen = new Set<Handler>();
  for (const wrapper of discovery.getControllers()) {
    const controller = wrapper.metatype as ClassOf | null;
    if (!controller) continue;
    for (const [name, handler] of methodsOf(scanner, controller)) {
      const verb: unknown = Reflect.getMetadata(METHOD_METADATA, handler);
      if (verb === undefined || seen.has(handler)) continue;
      seen.add(handler);
      const method = RequestMethod[verb as RequestMethod] ?? 'ALL';
      found.push({
        kind: 'http',
        endpoint: `${method} ${pathOf(controller, handler)}`,
        method,
        handlerName: `${controller.name}.${name}`,
        owner: controller,
        handler,
        requirement: requirementOf(reflector, handler, controller),
        writes: WRITE_METHODS.has(method),
        module: wrapper.host,
      });
    }
  }
  for (const wrapper of discovery.getProviders()) {
    const resolver = wrapper.metatype as ClassOf | null;
    if (!resolver || typeof resolver !== 'function' || !resolver.prototype) continue;
    for (const [name, handler] of methodsOf(scanner, resolver)) {
      const type: unknown = Reflect.getMetadata(GRAPHQL_RESOLVER_TYPE, handler);
      const field = Reflect.getMetadata(GRAPHQL_FIELD_RESOLVER, handler) === true;
      if ((typeof type !== 'string' && !field) || seen.has(handler)) continue;
      seen.add(handler);
      const fieldName: unknown = Reflect.getMetadata(GRAPHQL_RESOLVER_NAME, handler);
      const parent = typeof type === 'string' ? type : 'field';
      found.push({
        kind: 'graphql',
        endpoint: `${parent}.${typeof fieldName === 'string' ? fieldName : name}`,
        method: parent,
        handlerName: `${resolver.name}.${name}`,
        owner: resolver,
        handler,
        requirement: requirementOf(reflector, handler, resolver),
        writes: type === 'Mutation',
        module: wrapper.host,
      });
    }
  }
  return found;
}

/** The route's requirement: the handler's own, else its class's (as the guard reads it). */
function requirementOf(
  reflector: Reflector,
  handler: Handler,
  owner: ClassOf,
): RecentAuthRequirement | undefined {
  return reflector.getAllAndOverride<RecentAuthRequirement | undefined>(RECENT_AUTH_METADATA_KEY, [
    handler,
    owner,
  ]);
}

function methodsOf(scanner: MetadataScanner, type: ClassOf): [string, Handler][] {
  const prototype = type.prototype as Record<string, unknown>;
  return scanner.getAllMethodNames(prototype).map((name) => [name, prototype[name] as Handler]);
}

/** `/account/email`: the controller's and the handler's paths, without the global prefix. */
function pathOf(controller: ClassOf, handler: Handler): string {
  const parts = [
    Reflect.getMetadata(PATH_METADATA, controller),
    Reflect.getMetadata(PATH_METADATA, handler),
  ].flatMap((part: unknown): unknown[] => (Array.isArray(part) ? [part[0] as unknown] : [part]));
  return `/${parts
    .filter((part): part is string => typeof part === 'string' && part !== '' && part !== '/')
    .map((part) => part.replace(/^\/+|\/+$/g, ''))
    .join('/')}`;
}
