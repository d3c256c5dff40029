import { Controller, Get, Logger, Post } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  RecentAuthMetadata,
  RequireRecentAuth,
  RequireSignIn,
} from '../decorators/require-recent-auth.decorator';
import '../index';
import { createSwaggerLoader, type SwaggerApi } from './swagger-api';

// The one stand-in: which @nestjs/swagger the decorators find (none, another version, or the
// installed one), each test with a fresh loader of the real kind.
const mockSwagger = { load: jest.fn((): SwaggerApi | undefined => undefined) };
jest.mock('./swagger-api', () => ({
  ...jest.requireActual<object>('./swagger-api'),
  loadSwagger: () => mockSwagger.load(),
}));

function notFound(id: string): Error {
  return Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
}

/** What the decorators leave once the class is complete (documenting waits until then). */
const settled = () => Promise.resolve();

const swaggerKeys = (target: object) =>
  (Reflect.getMetadataKeys(target) as unknown[]).filter((key) =>
    String(key).startsWith('swagger/'),
  );

const reflector = new Reflector();

function defineControllers() {
  @Controller('account')
  class AccountController {
    @Get()
    @RequireSignIn()
    show(): void {}

    @Post('email')
    @RequireRecentAuth(300, { acr: ['loa2'] })
    changeEmail(): void {}
  }

  @Controller('admin')
  @RequireRecentAuth(600)
  class AdminController {
    @Get()
    list(): void {}
  }
  return { AccountController, AdminController };
}

function expectRequirements({
  AccountController,
  AdminController,
}: ReturnType<typeof defineControllers>) {
  const read = (handler: object, controller: object) =>
    reflector.getAllAndOverride(RecentAuthMetadata, [
      handler as () => void,
      controller as () => void,
    ]);
  expect(read(AccountController.prototype.show, AccountController)).toEqual({ maxAge: null });
  expect(read(AccountController.prototype.changeEmail, AccountController)).toMatchObject({
    maxAge: 300,
    acr: ['loa2'],
  });
  expect(read(AdminController.prototype.list, AdminController)).toMatchObject({ maxAge: 600 });
}

function expectNothingDocumented({
  AccountController,
  AdminController,
}: ReturnType<typeof defineControllers>) {
  for (const target of [
    AccountController,
    AccountController.prototype.show,
    AccountController.prototype.changeEmail,
    AdminController,
    AdminController.prototype.list,
  ]) {
    expect(swaggerKeys(target)).toEqual([]);
  }
}

describe('@RequireRecentAuth and @RequireSignIn and @nestjs/swagger', () => {
  afterEach(() => jest.restoreAllMocks());

  it('importing the library loads nothing of it', () => {
    expect(mockSwagger.load).not.toHaveBeenCalled();
  });

  describe('when @nestjs/swagger is not installed', () => {
    it('set their metadata, throw nothing and document nothing; the package is looked for once', async () => {
      const load = jest.fn((id: string): unknown => {
        throw notFound(id);
      });
      const log = { warn: jest.fn() };
      mockSwagger.load.mockImplementation(createSwaggerLoader(load, log));
      const first = defineControllers();
      await settled();
      const second = defineControllers();
      await settled();
      for (const controllers of [first, second]) {
        expectRequirements(controllers);
        expectNothingDocumented(controllers);
      }
      expect(load).toHaveBeenCalledTimes(1);
      expect(load).toHaveBeenCalledWith('@nestjs/swagger');
      expect(log.warn).not.toHaveBeenCalled();
    });
  });

  describe('when @nestjs/swagger is another version', () => {
    it('set their metadata and document nothing, with one warning', async () => {
      const log = { warn: jest.fn() };
      mockSwagger.load.mockImplementation(createSwaggerLoader(() => ({ ApiResponse() {} }), log));
      const controllers = defineControllers();
      defineControllers();
      await settled();
      expectRequirements(controllers);
      expectNothingDocumented(controllers);
      expect(log.warn).toHaveBeenCalledTimes(1);
    });

    it('never let a failure to document escape, and warn once', async () => {
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      const throwing: SwaggerApi = {
        ApiResponse: () => {
          throw new TypeError('unexpected options');
        },
        ApiProperty: () => () => undefined,
      };
      mockSwagger.load.mockImplementation(() => throwing);
      const controllers = defineControllers();
      defineControllers();
      await settled();
      expectRequirements(controllers);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn).toHaveBeenCalledWith(
        'Documenting a guarded route for OpenAPI failed with TypeError: such routes are left as @nestjs/swagger documents them',
      );
    });
  });

  describe('when @nestjs/swagger is installed', () => {
    it('document HTTP routes once the class is complete, and leave other handlers alone', async () => {
      mockSwagger.load.mockImplementation(createSwaggerLoader());
      class Resolver {
        // A GraphQL resolver or a message handler: no HTTP route, nothing to document.
        @RequireSignIn()
        field(): void {}
      }
      const { AccountController, AdminController } = defineControllers();
      expect(swaggerKeys(AccountController.prototype.show)).toEqual([]);
      await settled();
      expect(swaggerKeys(AccountController.prototype.show)).toEqual(['swagger/apiResponse']);
      expect(swaggerKeys(AdminController.prototype.list)).toEqual(['swagger/apiResponse']);
      // Responses go on the handlers, never on the controller (they would reach every handler).
      expect(swaggerKeys(AdminController)).toEqual([]);
      expect(swaggerKeys(Resolver.prototype.field)).toEqual([]);
    });
  });
});
