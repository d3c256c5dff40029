import { Controller, Delete, Get, Module, Patch, Post, Put, type Type } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { OWN_ROUTES_METADATA_KEY } from '../core/constants';
import { RequireRecentAuth, RequireSignIn } from '../decorators/require-recent-auth.decorator';
import { OrganizationPolicySettings } from '../options/organization-policy-settings';
import { PolicySettings, resolvePolicySettings } from '../options/policy-settings';
import { RouteSettings } from '../options/reauth-settings';
import {
  inventoryTable,
  policySummary,
  RouteInventory,
  type InventoryEntry,
} from './route-inventory';
import { RoutePolicies } from './route-policies';

const LEVELS = {
  standard: { maxAge: 600 },
  strict: { maxAge: 300, amr: ['mfa'], methods: ['passkey'] },
  relaxed: { maxAge: 600, slide: { capSeconds: 1800 } },
  once: { maxAge: 0 },
};

@Controller('account')
class AccountController {
  @Get()
  @RequireSignIn()
  show(): void {}

  @Post('email')
  @RequireRecentAuth(300)
  changeEmail(): void {}

  @Post('transfer')
  @RequireRecentAuth(0, {
    bind: { fields: ['amount', 'payee'], summary: ({ amount }) => `Transfer ${amount}` },
  })
  transfer(): void {}

  @Delete()
  @RequireRecentAuth('strict')
  remove(): void {}

  @Put('nickname')
  rename(): void {}

  @Get('help')
  help(): void {}
}

@Controller('admin')
@RequireRecentAuth('relaxed')
class AdminController {
  @Get()
  dashboard(): void {}

  @Post('keys')
  @RequireRecentAuth()
  rotateKeys(): void {}

  @Get('strong')
  @RequireRecentAuth(120, { acr: ['urn:example:loa:2'] })
  strong(): void {}
}

@Controller()
class RootController {
  @Get()
  @RequireSignIn()
  home(): void {}

  @Post('webhooks')
  webhook(): void {}
}

/** Nothing guarded: a module of public writes, never flagged. */
@Controller('public')
class PublicController {
  @Post('contact')
  contact(): void {}
}

/** Stands for the library's own routes (marked when the module mounts them). */
@Controller('auth')
class OwnRoutesController {
  @Post('logout')
  logout(): void {}
}
Reflect.defineMetadata(OWN_ROUTES_METADATA_KEY, true, OwnRoutesController);

@Controller('billing')
class BillingController {
  @Get()
  @RequireSignIn()
  invoices(): void {}

  @Patch('plan')
  changePlan(): void {}
}

@Controller('billing/export')
class BillingExportController {
  @Post()
  start(): void {}
}

@Module({ controllers: [BillingController, BillingExportController] })
class BillingModule {}

@Module({ controllers: [PublicController] })
class PublicModule {}

/** A GraphQL resolver, described by the metadata `@nestjs/graphql` leaves. */
class PaymentsResolver {
  @RequireRecentAuth(0)
  pay(): void {}

  refund(): void {}

  payments(): void {}
}
Reflect.defineMetadata('graphql:resolver_type', 'Mutation', PaymentsResolver.prototype.pay);
Reflect.defineMetadata('graphql:resolver_name', 'makePayment', PaymentsResolver.prototype.pay);
Reflect.defineMetadata('graphql:resolver_type', 'Mutation', PaymentsResolver.prototype.refund);
Reflect.defineMetadata('graphql:resolver_type', 'Query', PaymentsResolver.prototype.payments);

@Module({ providers: [PaymentsResolver] })
class PaymentsModule {}

async function inventoryOf(
  controllers: Type[],
  options: {
    prefix?: string;
    imports?: Type[];
    allowUnguarded?: string[];
    organizationPolicy?: boolean;
  } = {},
): Promise<RouteInventory> {
  const moduleRef = await Test.createTestingModule({
    imports: [DiscoveryModule, ...(options.imports ?? [])],
    controllers,
    providers: [
      RouteInventory,
      RoutePolicies,
      {
        provide: PolicySettings,
        useValue: resolvePolicySettings({
          levels: LEVELS,
          defaultLevel: 'standard',
          inventory: { allowUnguarded: options.allowUnguarded },
        }),
      },
      { provide: RouteSettings, useValue: { routes: { prefix: options.prefix ?? '' } } },
      {
        provide: OrganizationPolicySettings,
        useValue: options.organizationPolicy
          ? { organizationPolicy: { claim: 'org_id', resolve: () => undefined } }
          : {},
      },
    ],
  }).compile();
  return moduleRef.get(RouteInventory);
}

describe('RouteInventory.list', () => {
  it('lists exactly the guarded handlers with their effective policies, sorted by endpoint', async () => {
    const inventory = await inventoryOf([AccountController, AdminController, RootController]);
    expect(inventory.list()).toEqual<InventoryEntry[]>([
      {
        kind: 'http',
        endpoint: 'DELETE /account',
        handler: 'AccountController.remove',
        requirement: 'recent',
        level: 'strict',
        maxAge: 300,
        amr: ['mfa'],
        methods: ['passkey'],
        organizationRules: false,
      },
      {
        kind: 'http',
        endpoint: 'GET /',
        handler: 'RootController.home',
        requirement: 'sign-in',
        maxAge: null,
        organizationRules: false,
      },
      {
        kind: 'http',
        endpoint: 'GET /account',
        handler: 'AccountController.show',
        requirement: 'sign-in',
        maxAge: null,
        organizationRules: false,
      },
      {
        kind: 'http',
        endpoint: 'GET /admin',
        handler: 'AdminController.dashboard',
        requirement: 'recent',
        level: 'relaxed',
        maxAge: 600,
        slide: { capSeconds: 1800 },
        organizationRules: false,
      },
      {
        kind: 'http',
        endpoint: 'GET /admin/strong',
        handler: 'AdminController.strong',
        requirement: 'recent',
        maxAge: 120,
        acr: ['urn:example:loa:2'],
        organizationRules: false,
      },
      {
        kind: 'http',
        endpoint: 'POST /account/email',
        handler: 'AccountController.changeEmail',
        requirement: 'recent',
        maxAge: 300,
        organizationRules: false,
      },
      {
        kind: 'http',
        endpoint: 'POST /account/transfer',
        handler: 'AccountController.transfer',
        requirement: 'recent',
        maxAge: 0,
        boundFields: ['amount', 'payee'],
        organizationRules: false,
      },
      {
        kind: 'http',
        endpoint: 'POST /admin/keys',
        handler: 'AdminController.rotateKeys',
        requirement: 'recent',
        level: 'standard',
        maxAge: 600,
        organizationRules: false,
      },
    ]);
  });

  it('is plain data: JSON gives it back unchanged', async () => {
    const entries = (await inventoryOf([AccountController, AdminController])).list();
    expect(JSON.parse(JSON.stringify(entries))).toEqual(entries);
    expect(Object.isFrozen(entries)).toBe(true);
    expect(entries.every((entry) => Object.isFrozen(entry))).toBe(true);
  });

  it('is computed once', async () => {
    const inventory = await inventoryOf([AccountController]);
    expect(inventory.list()).toBe(inventory.list());
  });

  it("puts the app's global prefix in front of HTTP endpoints", async () => {
    const inventory = await inventoryOf([AccountController, RootController], { prefix: '/api' });
    expect(inventory.list().map((entry) => entry.endpoint)).toEqual([
      'DELETE /api/account',
      'GET /api',
      'GET /api/account',
      'POST /api/account/email',
      'POST /api/account/transfer',
    ]);
  });

  it('says where an organization rule may tighten: never on sign-in-only routes', async () => {
    const inventory = await inventoryOf([AccountController], { organizationPolicy: true });
    expect(
      Object.fromEntries(inventory.list().map((entry) => [entry.handler, entry.organizationRules])),
    ).toEqual({
      'AccountController.remove': true,
      'AccountController.show': false,
      'AccountController.changeEmail': true,
      'AccountController.transfer': true,
    });
  });
});

describe('RouteInventory.unguardedWrites', () => {
  it('flags state-changing handlers without a requirement in a module that guards others', async () => {
    const inventory = await inventoryOf([AccountController, RootController, OwnRoutesController], {
      imports: [BillingModule, PublicModule],
    });
    expect(inventory.unguardedWrites()).toEqual([
      'PATCH /billing/plan (BillingController.changePlan)',
      'POST /billing/export (BillingExportController.start)',
      'POST /webhooks (RootController.webhook)',
      'PUT /account/nickname (AccountController.rename)',
    ]);
  });

  it('leaves out what allowUnguarded names', async () => {
    const inventory = await inventoryOf([AccountController, RootController], {
      imports: [BillingModule],
      prefix: '/api',
      allowUnguarded: ['RootController.webhook', 'BillingExportController.start'],
    });
    expect(inventory.unguardedWrites()).toEqual([
      'PATCH /api/billing/plan (BillingController.changePlan)',
      'PUT /api/account/nickname (AccountController.rename)',
    ]);
  });

  it('lists GraphQL operations and flags their unguarded mutations', async () => {
    const inventory = await inventoryOf([], { imports: [PaymentsModule] });
    expect(inventory.list()).toEqual([
      {
        kind: 'graphql',
        endpoint: 'Mutation.makePayment',
        handler: 'PaymentsResolver.pay',
        requirement: 'recent',
        maxAge: 0,
        organizationRules: false,
      },
    ]);
    expect(inventory.unguardedWrites()).toEqual(['Mutation.refund (PaymentsResolver.refund)']);
  });

  it('flags nothing in an app without guarded handlers', async () => {
    const inventory = await inventoryOf([PublicController, OwnRoutesController]);
    expect(inventory.unguardedWrites()).toEqual([]);
    expect(inventory.list()).toEqual([]);
  });
});

describe('inventoryTable', () => {
  it('aligns endpoint, handler and policy in columns', async () => {
    const inventory = await inventoryOf([AccountController, AdminController]);
    expect(inventoryTable(inventory.list())).toEqual([
      'ENDPOINT                HANDLER                        POLICY',
      'DELETE /account         AccountController.remove       level strict: max_age=300 amr=mfa methods=passkey',
      'GET /account            AccountController.show         sign-in',
      'GET /admin              AdminController.dashboard      level relaxed: max_age=600 slide cap 1800',
      'GET /admin/strong       AdminController.strong         max_age=120 acr=urn:example:loa:2',
      'POST /account/email     AccountController.changeEmail  max_age=300',
      'POST /account/transfer  AccountController.transfer     max_age=0 bound(amount,payee)',
      'POST /admin/keys        AdminController.rotateKeys     level standard: max_age=600',
    ]);
  });

  it('marks policies an organization rule may tighten', () => {
    expect(
      policySummary({
        kind: 'graphql',
        endpoint: 'Mutation.transfer',
        handler: 'AccountResolver.transfer',
        requirement: 'recent',
        maxAge: 0,
        boundFields: ['amount'],
        organizationRules: true,
      }),
    ).toBe('max_age=0 bound(amount) +organization rules');
  });
});
