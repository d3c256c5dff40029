import { RequestMethod } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { ReauthService, type InventoryEntry } from 'nest-workos-reauth';
import { type RunningDemo } from '../../src/demo';
import { startTestDemo } from '../support/demo';

/** The metadata `@RequireRecentAuth` and `@RequireSignIn` leave, read here without the library. */
const REQUIREMENT_KEY = 'nest-reauth:recent-auth';

interface DeclaredRequirement {
  maxAge?: number | null;
  level?: string;
  bind?: { fields: readonly string[] };
}

interface DecoratedRoute {
  endpoint: string;
  handler: string;
  requirement: DeclaredRequirement;
}

type ClassOf = (new (...args: never[]) => object) & { prototype: Record<string, unknown> };

/**
 * Every route of the demo that carries a requirement (its own, else its controller's), found
 * from Nest's controllers and their decorators' metadata: independent of the inventory.
 */
function decoratedRoutes(discovery: DiscoveryService): DecoratedRoute[] {
  const routes: DecoratedRoute[] = [];
  for (const wrapper of discovery.getControllers()) {
    const controller = wrapper.metatype as ClassOf | null;
    if (!controller) continue;
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const handler = Object.getOwnPropertyDescriptor(controller.prototype, name)?.value as unknown;
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const verb = Reflect.getMetadata('method', handler) as RequestMethod | undefined;
      if (verb === undefined) continue;
      const requirement = (Reflect.getMetadata(REQUIREMENT_KEY, handler) ??
        Reflect.getMetadata(REQUIREMENT_KEY, controller)) as DeclaredRequirement | undefined;
      if (!requirement) continue;
      const path = [Reflect.getMetadata('path', controller), Reflect.getMetadata('path', handler)]
        .filter((part): part is string => typeof part === 'string')
        .map((part) => part.replace(/^\/+|\/+$/g, ''))
        .filter((part) => part !== '')
        .join('/');
      routes.push({
        endpoint: `${RequestMethod[verb]} /${path}`,
        handler: `${controller.name}.${name}`,
        requirement,
      });
    }
  }
  return routes;
}

describe('The demo inventory', () => {
  let demo: RunningDemo;
  let inventory: InventoryEntry[];

  beforeAll(async () => {
    demo = await startTestDemo();
    inventory = demo.app.get(ReauthService).inventory();
  });
  afterAll(() => demo.close());

  it('lists every route the demo guards, and nothing else', () => {
    const decorated = decoratedRoutes(demo.app.get(DiscoveryService));
    expect(decorated.length).toBeGreaterThan(0);
    const label = (entry: { endpoint: string; handler: string }) =>
      `${entry.endpoint} (${entry.handler})`;
    expect(inventory.map(label).sort()).toEqual(decorated.map(label).sort());
  });

  it("shows each route's declared requirement as its policy", () => {
    for (const route of decoratedRoutes(demo.app.get(DiscoveryService))) {
      const entry = inventory.find((listed) => listed.handler === route.handler)!;
      const { maxAge, level, bind } = route.requirement;
      expect({ handler: entry.handler, requirement: entry.requirement }).toEqual({
        handler: route.handler,
        requirement: maxAge === null ? 'sign-in' : 'recent',
      });
      if (typeof maxAge === 'number') expect(entry.maxAge).toBe(maxAge);
      if (maxAge === undefined) expect(entry.level).toEqual(level ?? expect.any(String));
      expect(entry.boundFields).toEqual(bind ? [...bind.fields] : undefined);
    }
  });

  it("lists the demo's account and transfer routes", () => {
    const byEndpoint = new Map(inventory.map((entry) => [entry.endpoint, entry]));
    expect(byEndpoint.get('GET /account')).toMatchObject({
      kind: 'http',
      handler: 'AccountController.account',
      requirement: 'sign-in',
      maxAge: null,
    });
    expect(byEndpoint.get('POST /account/delete')).toMatchObject({
      handler: 'AccountController.remove',
      requirement: 'recent',
      maxAge: 0,
    });
    expect(byEndpoint.get('POST /account/email')).toMatchObject({
      requirement: 'recent',
      maxAge: expect.any(Number),
    });
    expect(byEndpoint.get('POST /api/transfers')).toMatchObject({
      handler: 'ApiController.transfer',
      requirement: 'recent',
      maxAge: expect.any(Number),
    });
    expect(byEndpoint.get('GET /api/me')).toMatchObject({ requirement: 'sign-in' });
    expect(byEndpoint.has('GET /')).toBe(false);
  });
});
