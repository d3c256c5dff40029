import { Controller } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { RequireRecentAuth } from '../decorators/require-recent-auth.decorator';
import { ReauthBadActionException } from '../exceptions/reauth-bad-action.exception';
import { ReauthRequiredException } from '../exceptions/reauth-required.exception';
import {
  ALICE,
  edgeFixture,
  httpContext,
  request,
  SID,
  T0_SECONDS,
  type EdgeFixture,
  type GuardedRequest,
} from '../flow/edge-fixture.spec.helper';
import { ReauthRecords, sessionKeyOf } from '../flow/reauth-records';
import { FactorLedger } from './factor-ledger';

const summary = ({ amount, payee }: Readonly<Record<string, unknown>>) =>
  `Transfer ${String(amount)} EUR to ${String(payee)}`;

@Controller('vault')
class VaultRoutes {
  @RequireRecentAuth('sudo')
  sliding(): void {}

  @RequireRecentAuth()
  byDefault(): void {}

  @RequireRecentAuth('strict')
  fixed(): void {}

  @RequireRecentAuth('once', { bind: { fields: ['amount', 'payee'], summary } })
  transfer(): void {}
}

type VaultHandler = keyof VaultRoutes;

const LEVELS = {
  sudo: { maxAge: 300, slide: { capSeconds: 1800 } },
  strict: { maxAge: 300 },
  once: { maxAge: 0 },
};
const SESSION = sessionKeyOf(SID, ALICE);
const TRANSFER_ROUTE = 'vault:VaultRoutes.transfer';

describe('FreshnessProofs, through the guard', () => {
  let fixture: EdgeFixture;

  beforeEach(async () => {
    fixture = await edgeFixture({
      levels: LEVELS,
      defaultLevel: 'sudo',
      stepUp: { password: true },
    });
  });
  afterEach(() => fixture.close());

  /** Runs the guard for `handler`; resolves to what it answered, or to what it threw. */
  function check(handler: VaultHandler, req: GuardedRequest): Promise<unknown> {
    return fixture
      .guard()
      .canActivate(httpContext(VaultRoutes, handler, req))
      .catch((error: unknown) => error);
  }

  /** A request of Alice's, signed in at T0, at the clock's current time. */
  async function alice(): Promise<GuardedRequest> {
    return request('GET', '/vault', await fixture.bearer());
  }

  /** Moves the clock to `seconds` after T0. */
  function at(seconds: number): void {
    fixture.clock.set((T0_SECONDS + seconds) * 1000);
  }

  function expectStale(error: unknown): ReauthRequiredException {
    expect(error).toBeInstanceOf(ReauthRequiredException);
    expect(error).toMatchObject({ reason: 'stale', authTime: T0_SECONDS });
    return error as ReauthRequiredException;
  }

  describe('a sliding level', () => {
    it('lets a sign-in through within maxAge, and refuses it after without a request between', async () => {
      at(300);
      expect(await check('sliding', await alice())).toBe(true);
      fixture = await reopen();
      at(301);
      const refusal = expectStale(await check('sliding', await alice()));
      expect(refusal.maxAge).toBe(300);
      expect(refusal.explanation).toMatchObject({
        route: 'vault:VaultRoutes.sliding',
        rules: ['level sudo'],
        needs: { maxAge: 300, slideCapSeconds: 1800 },
      });
    });

    it('keeps letting an active session through, each request within maxAge of the last', async () => {
      for (const seconds of [250, 500, 790, 1090, 1390, 1690, 1800]) {
        at(seconds);
        expect(await check('sliding', await alice())).toBe(true);
      }
    });

    it('refuses once the cap after the sign-in has passed, however active the session', async () => {
      for (const seconds of [250, 500, 790, 1090, 1390, 1690, 1799]) {
        at(seconds);
        expect(await check('sliding', await alice())).toBe(true);
      }
      at(1801);
      expectStale(await check('sliding', await alice()));
    });

    it('refuses after a pause longer than maxAge', async () => {
      at(250);
      expect(await check('sliding', await alice())).toBe(true);
      at(551);
      expectStale(await check('sliding', await alice()));
      // The refusal does not reopen it.
      at(552);
      expectStale(await check('sliding', await alice()));
    });

    it('slides on the module’s default level too', async () => {
      at(250);
      expect(await check('byDefault', await alice())).toBe(true);
      at(500);
      expect(await check('byDefault', await alice())).toBe(true);
    });

    it('keeps one window per level: a fixed level does not slide', async () => {
      at(250);
      expect(await check('sliding', await alice())).toBe(true);
      expect(await check('fixed', await alice())).toBe(true);
      at(500);
      expect(await check('sliding', await alice())).toBe(true);
      expectStale(await check('fixed', await alice()));
    });

    it('slides from the latest in-page confirmation, with its own cap', async () => {
      at(2000);
      await fixture.moduleRef.get(FactorLedger).record(SESSION, ALICE, 'password', ['pwd']);
      at(2250);
      expect(await check('sliding', await alice())).toBe(true);
      at(2500);
      expect(await check('sliding', await alice())).toBe(true);
      at(3800);
      expectStale(await check('sliding', await alice()));
    });
  });

  describe('a bound route', () => {
    const post = async (body: unknown): Promise<GuardedRequest> => ({
      ...request('POST', '/vault/transfer', await fixture.bearer()),
      body,
    });
    const scopeOf = (amount: unknown, payee: unknown) =>
      `${TRANSFER_ROUTE}#${createHash('sha256')
        .update(
          JSON.stringify([
            'POST',
            TRANSFER_ROUTE,
            [
              ['amount', amount],
              ['payee', payee],
            ],
          ]),
        )
        .digest('base64url')}`;
    const grant = (scope: string) =>
      fixture.moduleRef.get(ReauthRecords).saveGrant(SESSION, T0_SECONDS, scope);

    it('is refused for the action’s own scope, with its summary', async () => {
      const refusal = expectStale(
        await check('transfer', await post({ amount: 100, payee: 'bob' })),
      );
      expect(refusal.details.route).toBe(scopeOf(100, 'bob'));
      expect(refusal.details.boundAction).toEqual({
        digest: scopeOf(100, 'bob').split('#')[1],
        summary: 'Transfer 100 EUR to bob',
        fields: { amount: 100, payee: 'bob' },
      });
      expect(refusal.getResponse()).toMatchObject({
        maxAge: 0,
        actionSummary: 'Transfer 100 EUR to bob',
      });
      expect(refusal.explanation).toMatchObject({
        route: TRANSFER_ROUTE,
        rules: ['level once'],
        needs: { maxAge: 0, action: 'Transfer 100 EUR to bob' },
      });
    });

    it('lets exactly one request of that action through with the grant of its scope', async () => {
      await grant(scopeOf(100, 'bob'));
      expect(await check('transfer', await post({ payee: 'bob', amount: 100 }))).toBe(true);
      expectStale(await check('transfer', await post({ amount: 100, payee: 'bob' })));
    });

    it('refuses another action, or the route, with that grant: and keeps it for its own', async () => {
      await grant(scopeOf(100, 'bob'));
      expectStale(await check('transfer', await post({ amount: 100, payee: 'mallory' })));
      expectStale(await check('transfer', await post({ amount: '100', payee: 'bob' })));
      expectStale(
        await check('transfer', {
          ...request('PUT', '/vault/transfer', await fixture.bearer()),
          body: { amount: 100, payee: 'bob' },
        }),
      );
      expect(await check('transfer', await post({ amount: 100, payee: 'bob' }))).toBe(true);
      await grant(TRANSFER_ROUTE);
      expectStale(await check('transfer', await post({ amount: 100, payee: 'bob' })));
    });

    it('refuses a request without its bound fields with a 400, before any grant is used', async () => {
      await grant(scopeOf(100, 'bob'));
      const error = await check('transfer', await post({ amount: 100 }));
      expect(error).toBeInstanceOf(ReauthBadActionException);
      expect(error).toMatchObject({ reason: 'action_fields_missing', fields: ['payee'] });
      expect(await check('transfer', await post({ amount: 100, payee: 'bob' }))).toBe(true);
    });
  });

  /** A fresh module on the same options (a new store: no window left by the last test). */
  async function reopen(): Promise<EdgeFixture> {
    await fixture.close();
    return edgeFixture({ levels: LEVELS, defaultLevel: 'sudo', stepUp: { password: true } });
  }
});
