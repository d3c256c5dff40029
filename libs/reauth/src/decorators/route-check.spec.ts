import { InternalServerErrorException, Logger, type ExecutionContext } from '@nestjs/common';
import { markChecked, ROUTE_CHECK, wasChecked } from './route-check';

class Controller {
  first(): void {}
  second(): void {}
}

function httpContext(request: object, handler: () => void): ExecutionContext {
  return {
    getType: () => 'http',
    getHandler: () => handler,
    getClass: () => Controller,
    getArgs: () => [request],
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

function graphqlContext(request: object, handler: () => void): ExecutionContext {
  const info = { fieldName: 'transfer', parentType: { name: 'Mutation' }, operation: {} };
  return {
    getType: () => 'graphql',
    getHandler: () => handler,
    getClass: () => Controller,
    getArgs: () => [{}, {}, { req: request }, info],
  } as unknown as ExecutionContext;
}

describe('the route check of marked handlers', () => {
  beforeAll(() => jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());

  const request = () => ({ method: 'GET', headers: {}, url: '/' });

  it('lets a handler run only for the request its check passed on', () => {
    const checkedRequest = request();
    markChecked(checkedRequest, Controller.prototype.first);
    expect(wasChecked(checkedRequest, Controller.prototype.first)).toBe(true);
    expect(ROUTE_CHECK.canActivate(httpContext(checkedRequest, Controller.prototype.first))).toBe(
      true,
    );
    expect(() =>
      ROUTE_CHECK.canActivate(httpContext(request(), Controller.prototype.first)),
    ).toThrow(InternalServerErrorException);
  });

  it('counts a check for one handler, not for another of the same request', () => {
    const shared = request();
    markChecked(shared, Controller.prototype.first);
    expect(wasChecked(shared, Controller.prototype.second)).toBe(false);
    expect(() => ROUTE_CHECK.canActivate(httpContext(shared, Controller.prototype.second))).toThrow(
      InternalServerErrorException,
    );
  });

  it('finds a GraphQL field by the request of its context', () => {
    const req = request();
    expect(() => ROUTE_CHECK.canActivate(graphqlContext(req, Controller.prototype.first))).toThrow(
      InternalServerErrorException,
    );
    markChecked(req, Controller.prototype.first);
    expect(ROUTE_CHECK.canActivate(graphqlContext(req, Controller.prototype.first))).toBe(true);
  });

  it('refuses a handler of a transport the library does not check', () => {
    const rpc = {
      getType: () => 'rpc',
      getHandler: () => Controller.prototype.first,
      getClass: () => Controller,
    } as unknown as ExecutionContext;
    expect(() => ROUTE_CHECK.canActivate(rpc)).toThrow(InternalServerErrorException);
  });
});
