import { Logger, RequestMethod } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { RECENT_AUTH_METADATA_KEY } from '../core/constants';
import { describeError } from '../core/describe-error';
import { describeReauthResponses, type DocumentedRequirement } from './responses';
import { reauthSchemaClasses } from './schemas';
import { loadSwagger, type SwaggerApi } from './swagger-api';

type Task = (swagger: SwaggerApi) => void;

const pending: Task[] = [];
let warned = false;

/**
 * Adds the route's re-authentication responses (the JSON 401 with `WWW-Authenticate`, the 403
 * where it can happen, the 503 with `Retry-After`) to what `@nestjs/swagger` documents, when it
 * is installed. `@RequireRecentAuth` and `@RequireSignIn` apply it.
 *
 * Nothing happens while the class is being defined: the decorators written above this one (the
 * route's `@Get` or `@Post`, `@HttpCode`, the app's own `@ApiResponse`s) have not run yet. The
 * work waits for the end of the current synchronous run, which every app reaches before it can
 * generate a document (creating the app is asynchronous). Without `@nestjs/swagger` nothing is
 * loaded, and failures are logged once, never thrown.
 */
export function DocumentReauthResponses(
  requirement: DocumentedRequirement,
): MethodDecorator & ClassDecorator {
  return (target: object, key?: string | symbol, descriptor?: PropertyDescriptor): void => {
    if (descriptor) {
      const handler: unknown = descriptor.value;
      if (typeof handler === 'function' && key !== undefined) {
        defer((swagger) => documentHandler(swagger, target, key, handler, requirement));
      }
      return;
    }
    if (typeof target === 'function') {
      defer((swagger) => documentController(swagger, target, requirement));
    }
  };
}

function defer(task: Task): void {
  pending.push(task);
  if (pending.length === 1) queueMicrotask(flush);
}

function flush(): void {
  const tasks = pending.splice(0);
  const swagger = loadSwagger();
  if (!swagger) return;
  for (const task of tasks) {
    try {
      task(swagger);
    } catch (error) {
      // A throw here would surface as an uncaught exception: documentation never stops an app.
      warnOnce(error);
    }
  }
}

function warnOnce(error: unknown): void {
  if (warned) return;
  warned = true;
  new Logger('ReauthModule').warn(
    `Documenting a guarded route for OpenAPI failed with ${describeError(error)}: such routes are left as @nestjs/swagger documents them`,
  );
}

/**
 * Each handler the controller defines that has no decorator of its own (a handler's own wins, as
 * in the guard). Handlers inherited from a base class are left alone: their functions are shared
 * with the base class and its other subclasses, which may not be guarded.
 */
function documentController(
  swagger: SwaggerApi,
  controller: { prototype: unknown },
  requirement: DocumentedRequirement,
): void {
  const prototype = controller.prototype as object;
  for (const name of Object.getOwnPropertyNames(prototype)) {
    if (name === 'constructor') continue;
    const handler: unknown = Object.getOwnPropertyDescriptor(prototype, name)?.value;
    if (typeof handler !== 'function') continue;
    if (Reflect.getMetadata(RECENT_AUTH_METADATA_KEY, handler) !== undefined) continue;
    documentHandler(swagger, prototype, name, handler, requirement);
  }
}

function documentHandler(
  swagger: SwaggerApi,
  target: object,
  key: string | symbol,
  handler: object,
  requirement: DocumentedRequirement,
): void {
  const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
  // Not an HTTP route (a GraphQL resolver, a message handler): nothing to document.
  if (method === undefined) return;
  const descriptor = { value: handler };
  // Once a handler declares any response, @nestjs/swagger stops adding its implicit success
  // response (200, 201 for POST, or the @HttpCode): declare that one first, unless the app
  // declared responses itself, so the route keeps it.
  const status =
    (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ??
    (method === RequestMethod.POST ? 201 : 200);
  swagger.ApiResponse({ status, description: '' }, { overrideExisting: false })(
    target,
    key,
    descriptor,
  );
  const schemas = reauthSchemaClasses(swagger);
  for (const response of describeReauthResponses(requirement, method)) {
    swagger.ApiResponse({
      status: response.status,
      description: response.description,
      type: schemas[response.schema],
      ...(response.headers && { headers: response.headers }),
    })(target, key, descriptor);
  }
}
