import { Logger } from '@nestjs/common';
import { loadOptionalPeer } from '../core/optional-peer';
import { describeError } from '../core/describe-error';

// The few parts of `@nestjs/swagger` the library uses, typed here rather than imported: the
// package is an optional peer, so neither the built code nor its declarations may depend on it.

/** An OpenAPI Header Object, as the library documents `WWW-Authenticate` and `Retry-After`. */
export interface OpenApiHeader {
  description: string;
  required: boolean;
  schema: { type: 'string' | 'integer'; example: string | number };
}

/** The options the library passes to `ApiResponse`. */
export interface SwaggerResponseOptions {
  status: number;
  description: string;
  type?: abstract new () => object;
  headers?: Record<string, OpenApiHeader>;
}

/** The options the library passes to `ApiProperty`. */
export interface SwaggerPropertyOptions {
  /** `Object`: an object, described in words. */
  type: 'integer' | 'string' | ObjectConstructor;
  required: boolean;
  description: string;
  isArray?: boolean;
  enum?: (string | number)[];
  format?: string;
  minimum?: number;
  example?: unknown;
}

/** What the library needs from `@nestjs/swagger`. */
export interface SwaggerApi {
  ApiResponse(
    options: SwaggerResponseOptions,
    behaviour?: { overrideExisting: boolean },
  ): MethodDecorator & ClassDecorator;
  ApiProperty(options: SwaggerPropertyOptions): PropertyDecorator;
  /** Names and describes a schema class; documented without a description where it is missing. */
  ApiSchema?(options: { description: string }): ClassDecorator;
}

const PACKAGE = '@nestjs/swagger';

function isSwaggerApi(value: unknown): value is SwaggerApi {
  const api = value as Partial<Record<keyof SwaggerApi, unknown>> | null | undefined;
  return (
    typeof api?.ApiResponse === 'function' &&
    typeof api.ApiProperty === 'function' &&
    (api.ApiSchema === undefined || typeof api.ApiSchema === 'function')
  );
}

/**
 * Makes the loader of `@nestjs/swagger`: it tries once, on first use, and remembers the answer.
 * Not installed: `undefined`, silently (documenting routes is only an extra). Installed but not
 * loadable, or without the expected exports (another major version): `undefined` and one
 * warning, never an error.
 *
 * @param load - `require`, or a stand-in in tests.
 */
export function createSwaggerLoader(
  load: (id: string) => unknown = require,
  logger: Pick<Logger, 'warn'> = new Logger('ReauthModule'),
): () => SwaggerApi | undefined {
  let loaded: { api: SwaggerApi | undefined } | undefined;
  return () => {
    loaded ??= { api: tryLoad(load, logger) };
    return loaded.api;
  };
}

function tryLoad(
  load: (id: string) => unknown,
  logger: Pick<Logger, 'warn'>,
): SwaggerApi | undefined {
  try {
    const candidate = loadOptionalPeer(PACKAGE, load);
    if (candidate === undefined) return undefined;
    if (isSwaggerApi(candidate)) return candidate;
  } catch (error) {
    logger.warn(
      `${PACKAGE} is installed but failed to load with ${describeError(error)}: guarded routes are left out of the OpenAPI document`,
    );
    return undefined;
  }
  logger.warn(
    `${PACKAGE} does not export ApiResponse and ApiProperty as expected (an unsupported version?): guarded routes are left out of the OpenAPI document`,
  );
  return undefined;
}

/** `@nestjs/swagger` when it is installed and usable; loaded once, on first use. */
export const loadSwagger = createSwaggerLoader();
