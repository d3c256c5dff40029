import { loadOptionalPeer } from '../core/optional-peer';
import { createSwaggerLoader } from './swagger-api';

function notFound(id: string, from = '/app/dist/openapi/swagger-api.js'): Error {
  return Object.assign(new Error(`Cannot find module '${id}'\nRequire stack:\n- ${from}`), {
    code: 'MODULE_NOT_FOUND',
  });
}

describe('loadOptionalPeer', () => {
  it('returns the loaded module', () => {
    const swagger = { ApiResponse() {} };
    expect(loadOptionalPeer('@nestjs/swagger', () => swagger)).toBe(swagger);
  });

  it('returns undefined when the package itself is not installed', () => {
    expect(
      loadOptionalPeer('@nestjs/swagger', (id) => {
        throw notFound(id);
      }),
    ).toBeUndefined();
  });

  it.each<[string, unknown]>([
    [
      'a missing dependency of the package',
      notFound('lodash', '/app/node_modules/@nestjs/swagger/dist/index.js'),
    ],
    ['a file inside the package', notFound('@nestjs/swagger/dist/constants')],
    ['the same message with another code', new Error("Cannot find module '@nestjs/swagger'")],
    ['a syntax error', new SyntaxError('Unexpected token')],
    ['a thrown string', 'boom'],
  ])('rethrows %s unchanged', (_name, error) => {
    let thrown: unknown;
    try {
      loadOptionalPeer('@nestjs/swagger', () => {
        throw error;
      });
    } catch (caught) {
      thrown = caught;
    }
    expect(thrown).toBe(error);
  });
});

describe('createSwaggerLoader', () => {
  const logger = () => ({ warn: jest.fn() });

  it('loads the installed @nestjs/swagger', () => {
    const load = jest.fn((id: string) => jest.requireActual<object>(id));
    const swagger = createSwaggerLoader(load, logger())();
    expect(load).toHaveBeenCalledWith('@nestjs/swagger');
    expect(typeof swagger?.ApiResponse).toBe('function');
    expect(typeof swagger?.ApiProperty).toBe('function');
  });

  it('tries nothing until first used, then once', () => {
    const load = jest.fn((id: string) => jest.requireActual<object>(id));
    const loader = createSwaggerLoader(load, logger());
    expect(load).not.toHaveBeenCalled();
    const first = loader();
    expect(loader()).toBe(first);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('answers undefined, silently and once, when it is not installed', () => {
    const load = jest.fn((id: string): unknown => {
      throw notFound(id);
    });
    const log = logger();
    const loader = createSwaggerLoader(load, log);
    expect(loader()).toBeUndefined();
    expect(loader()).toBeUndefined();
    expect(load).toHaveBeenCalledTimes(1);
    expect(log.warn).not.toHaveBeenCalled();
  });

  it('answers undefined with one warning when it is installed but fails to load', () => {
    const log = logger();
    const loader = createSwaggerLoader(() => {
      throw notFound('lodash', '/app/node_modules/@nestjs/swagger/dist/index.js');
    }, log);
    expect(loader()).toBeUndefined();
    expect(loader()).toBeUndefined();
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(log.warn).toHaveBeenCalledWith(
      '@nestjs/swagger is installed but failed to load with Error (MODULE_NOT_FOUND): guarded routes are left out of the OpenAPI document',
    );
  });

  it.each([
    ['without ApiProperty', { ApiResponse: () => () => undefined }],
    [
      'with an ApiSchema that is not a function',
      { ApiResponse() {}, ApiProperty() {}, ApiSchema: 1 },
    ],
    ['that is not an object', 'swagger'],
    ['that is null', null],
  ])('answers undefined with one warning for a package %s (another version)', (_name, exports) => {
    const log = logger();
    const loader = createSwaggerLoader(() => exports, log);
    expect(loader()).toBeUndefined();
    expect(loader()).toBeUndefined();
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(log.warn).toHaveBeenCalledWith(
      '@nestjs/swagger does not export ApiResponse and ApiProperty as expected (an unsupported version?): guarded routes are left out of the OpenAPI document',
    );
  });
});
