import { Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  ReauthModule,
  ReauthService,
  type InventoryEntry,
  type ReauthInventoryOptions,
  type ReauthModuleOptions,
} from 'nest-workos-reauth';
import { startGraphQLApp } from '../graphql/support/graphql-app';
import { emulatorModuleOptions, startEmulatorWithSdk } from '../support/emulator';
import { freePort } from '../support/ports';
import { COOKIE_PASSWORD, startScenarioApp } from '../support/reauth-app';
import { RecordingLogger } from '../support/recording-logger';
import {
  INVENTORY_LEVELS,
  InventoryAccountRoutes,
  InventoryAdminRoutes,
  InventoryContactModule,
} from './inventory.routes';

const POLICIES: Partial<ReauthModuleOptions> = {
  levels: INVENTORY_LEVELS,
  defaultLevel: 'standard',
};

/** The scenario app with `inventory` options, logging to `logger`. */
function startInventoryApp(inventory: ReauthInventoryOptions, logger = new RecordingLogger()) {
  return startScenarioApp([InventoryAccountRoutes, InventoryAdminRoutes], {
    reauth: () => ({ ...POLICIES, inventory }),
    imports: [InventoryContactModule],
    logger,
  });
}

const EXPECTED: InventoryEntry[] = [
  {
    kind: 'http',
    endpoint: 'DELETE /account',
    handler: 'InventoryAccountRoutes.remove',
    requirement: 'recent',
    level: 'strict',
    maxAge: 300,
    amr: ['mfa'],
    methods: ['passkey'],
    organizationRules: false,
  },
  {
    kind: 'http',
    endpoint: 'GET /account',
    handler: 'InventoryAccountRoutes.show',
    requirement: 'sign-in',
    maxAge: null,
    organizationRules: false,
  },
  {
    kind: 'http',
    endpoint: 'GET /admin',
    handler: 'InventoryAdminRoutes.dashboard',
    requirement: 'recent',
    level: 'relaxed',
    maxAge: 600,
    slide: { capSeconds: 1800 },
    organizationRules: false,
  },
  {
    kind: 'http',
    endpoint: 'POST /account/email',
    handler: 'InventoryAccountRoutes.changeEmail',
    requirement: 'recent',
    maxAge: 300,
    organizationRules: false,
  },
  {
    kind: 'http',
    endpoint: 'POST /account/transfer',
    handler: 'InventoryAccountRoutes.transfer',
    requirement: 'recent',
    maxAge: 0,
    boundFields: ['amount', 'payee'],
    organizationRules: false,
  },
  {
    kind: 'http',
    endpoint: 'POST /admin/keys',
    handler: 'InventoryAdminRoutes.rotateKeys',
    requirement: 'recent',
    level: 'standard',
    maxAge: 600,
    organizationRules: false,
  },
];

const TABLE = [
  'Guarded handlers (6):',
  'ENDPOINT                HANDLER                             POLICY',
  'DELETE /account         InventoryAccountRoutes.remove       level strict: max_age=300 amr=mfa methods=passkey',
  'GET /account            InventoryAccountRoutes.show         sign-in',
  'GET /admin              InventoryAdminRoutes.dashboard      level relaxed: max_age=600 slide cap 1800',
  'POST /account/email     InventoryAccountRoutes.changeEmail  max_age=300',
  'POST /account/transfer  InventoryAccountRoutes.transfer     max_age=0 bound(amount,payee)',
  'POST /admin/keys        InventoryAdminRoutes.rotateKeys     level standard: max_age=600',
];

const UNGUARDED_WARNING =
  'POST /account/nickname (InventoryAccountRoutes.rename) changes state without @RequireRecentAuth or @RequireSignIn, in a module that guards other handlers: guard it, or list it in inventory.allowUnguarded';

describe('The inventory of guarded handlers', () => {
  it('lists exactly the guarded handlers with their effective policies, as JSON', async () => {
    const scenario = await startInventoryApp({});
    try {
      const inventory = scenario.app.get(ReauthService).inventory();
      expect(inventory).toEqual(EXPECTED);
      expect(JSON.parse(JSON.stringify(inventory))).toEqual(EXPECTED);
    } finally {
      await scenario.close();
    }
  });

  it('is logged as a table at start-up only with inventory.log', async () => {
    const quiet = new RecordingLogger();
    const scenario = await startInventoryApp({}, quiet);
    await scenario.close();
    expect(quiet.lines.join('\n')).not.toContain('Guarded handlers');
    expect(quiet.lines.join('\n')).not.toContain('ENDPOINT');

    const logger = new RecordingLogger();
    const logged = await startInventoryApp({ log: true }, logger);
    await logged.close();
    const start = logger.lines.indexOf(TABLE[0]);
    expect(start).toBeGreaterThanOrEqual(0);
    expect(logger.lines.slice(start, start + TABLE.length)).toEqual(TABLE);
    expect(logger.lines.filter((line) => line.includes('changes state'))).toEqual([]);
  });

  it('warns about each state-changing handler left unguarded next to guarded ones', async () => {
    const logger = new RecordingLogger();
    const scenario = await startInventoryApp({ unguardedWrites: 'warn' }, logger);
    await scenario.close();
    // POST /contact is public in a module without guarded handlers; the library's own
    // POST routes (logout, step-up) are never counted.
    expect(logger.lines.filter((line) => line.includes('changes state'))).toEqual([
      UNGUARDED_WARNING,
    ]);
  });

  it('refuses to start with unguardedWrites: error, naming the handlers', async () => {
    await expect(startInventoryApp({ unguardedWrites: 'error' })).rejects.toThrow(
      'ReauthModule: state-changing handlers without @RequireRecentAuth or @RequireSignIn next to guarded ones: POST /account/nickname (InventoryAccountRoutes.rename); guard them, or list them in inventory.allowUnguarded',
    );
  });

  it('says nothing of the handlers allowUnguarded names, and starts', async () => {
    const logger = new RecordingLogger();
    const scenario = await startInventoryApp(
      { unguardedWrites: 'error', allowUnguarded: ['InventoryAccountRoutes.rename'] },
      logger,
    );
    await scenario.close();
    expect(logger.lines.filter((line) => line.includes('changes state'))).toEqual([]);

    const warned = new RecordingLogger();
    const warning = await startInventoryApp(
      { unguardedWrites: 'warn', allowUnguarded: ['InventoryAccountRoutes.rename'] },
      warned,
    );
    await warning.close();
    expect(warned.lines.filter((line) => line.includes('changes state'))).toEqual([]);
  });

  it("shows the app's global prefix in HTTP endpoints and in the unguarded writes", async () => {
    const port = await freePort();
    const redirectUri = `http://localhost:${port}/api/auth/callback`;
    const { emulator } = await startEmulatorWithSdk({ redirectUris: [redirectUri] });
    const logger = new RecordingLogger();
    @Module({
      imports: [
        ReauthModule.forRoot({
          ...emulatorModuleOptions(emulator),
          redirectUri,
          cookiePassword: COOKIE_PASSWORD,
          ...POLICIES,
          inventory: { unguardedWrites: 'warn' },
        }),
      ],
      controllers: [InventoryAccountRoutes, InventoryAdminRoutes],
    })
    class PrefixedInventoryModule {}
    const moduleRef = await Test.createTestingModule({
      imports: [PrefixedInventoryModule],
    }).compile();
    const app = moduleRef.createNestApplication({ logger });
    app.setGlobalPrefix('api');
    try {
      await app.listen(port, '127.0.0.1');
      expect(
        app
          .get(ReauthService)
          .inventory()
          .map((entry) => entry.endpoint),
      ).toEqual(EXPECTED.map((entry) => entry.endpoint.replace(' /', ' /api/')));
      expect(logger.lines.filter((line) => line.includes('changes state'))).toEqual([
        UNGUARDED_WARNING.replace('POST /account', 'POST /api/account'),
      ]);
      const guarded = await fetch(`http://localhost:${port}/api/account/email`, {
        method: 'POST',
        headers: { accept: 'application/json' },
      });
      expect(guarded.status).toBe(401);
    } finally {
      await app.close();
      await emulator.close();
    }
  });

  it('lists GraphQL operations and field resolvers next to HTTP routes', async () => {
    const logger = new RecordingLogger();
    const scenario = await startGraphQLApp({
      logger,
      reauth: { inventory: { log: true, unguardedWrites: 'error' } },
    });
    try {
      const entries = scenario.app.get(ReauthService).inventory();
      expect(entries.filter((entry) => entry.kind === 'graphql')).toEqual([
        {
          kind: 'graphql',
          endpoint: 'Mutation.changeEmail',
          handler: 'AccountResolver.changeEmail',
          requirement: 'recent',
          maxAge: 300,
          organizationRules: false,
        },
        {
          kind: 'graphql',
          endpoint: 'Mutation.transfer',
          handler: 'AccountResolver.transfer',
          requirement: 'recent',
          maxAge: 0,
          boundFields: ['amount', 'to'],
          organizationRules: false,
        },
        {
          kind: 'graphql',
          endpoint: 'Query.account',
          handler: 'AccountResolver.account',
          requirement: 'sign-in',
          maxAge: null,
          organizationRules: false,
        },
        {
          kind: 'graphql',
          endpoint: 'Query.balance',
          handler: 'AccountResolver.balance',
          requirement: 'recent',
          maxAge: 300,
          organizationRules: false,
        },
        {
          kind: 'graphql',
          endpoint: 'Query.payoutLimits',
          handler: 'AccountResolver.payoutLimits',
          requirement: 'recent',
          maxAge: 300,
          acr: ['urn:example:loa:2'],
          organizationRules: false,
        },
        {
          kind: 'graphql',
          endpoint: 'Subscription.alerts',
          handler: 'AccountResolver.alerts',
          requirement: 'recent',
          maxAge: 300,
          organizationRules: false,
        },
        {
          kind: 'graphql',
          endpoint: 'field.recoveryCodes',
          handler: 'AccountResolver.recoveryCodes',
          requirement: 'recent',
          maxAge: 300,
          organizationRules: false,
        },
      ]);
      expect(logger.lines).toContainEqual(
        expect.stringMatching(/^Mutation\.changeEmail +AccountResolver\.changeEmail +max_age=300$/),
      );
    } finally {
      await scenario.close();
    }
  });
});
