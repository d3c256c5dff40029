import { Logger } from '@nestjs/common';
import { FunctionReauthClock } from '../core/clock';
import { STORE_KEYS } from '../core/constants';
import type { ReauthEvent } from '../events/event.types';
import { ReauthEvents } from '../events/reauth-events';
import { ReauthMetrics, type ReauthMeter } from '../events/reauth-metrics';
import { ReauthUnavailableException } from '../exceptions/reauth-unavailable.exception';
import { FactorLedger } from '../factors/factor-ledger';
import type { ProviderSignalSettings } from '../options/reauth-settings';
import type { StepUpSettings } from '../options/step-up-settings';
import { MemoryReauthStore } from '../stores/memory-reauth.store';
import { ProviderSignals, type ProviderEndedSessions } from './provider-signals';
import { SessionRevocations } from './session-revocations';

const START = 1_800_000_000;
const MAX_AGE = 30 * 24 * 3600;

/** A store whose writes can be made to fail, as a Redis that stops answering. */
class FlakyStore extends MemoryReauthStore {
  failSets = false;

  override set(key: string, value: string, ttl: number): Promise<void> {
    if (this.failSets) return Promise.reject(new Error('ECONNRESET'));
    return super.set(key, value, ttl);
  }
}

describe('ProviderSignals', () => {
  let store: FlakyStore;
  let events: ReauthEvent[];
  let counted: Record<string, unknown>[];
  let signals: ProviderSignals;
  let revocations: SessionRevocations;
  let warnings: string[];

  beforeEach(() => {
    store = new FlakyStore({ now: () => START * 1000 });
    events = [];
    counted = [];
    warnings = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => {
      warnings.push(String(message));
    });
    const clock = new FunctionReauthClock(() => START * 1000);
    const meter = {
      createCounter: (name: string) => ({
        add: (_n: number, attributes: Record<string, unknown>) =>
          counted.push({ name, ...attributes }),
      }),
      createHistogram: () => ({ record: () => undefined }),
    } as unknown as ReauthMeter;
    const reauthEvents = new ReauthEvents(
      { events: { listener: (event: ReauthEvent) => events.push(event), eventEmitter: false } },
      clock,
      new ReauthMetrics(meter),
    );
    revocations = new SessionRevocations(store, clock, reauthEvents, { revocationView: false });
    const ledger = new FactorLedger(store, clock, {} as StepUpSettings);
    signals = new ProviderSignals(revocations, ledger, store, reauthEvents, {
      providerSignals: { backchannelLogout: true, perAddressPerMinute: 3 },
      cookie: { name: 'wos-session', secure: true, maxAgeSeconds: MAX_AGE },
      clientAddress: () => undefined,
    });
  });
  afterEach(() => jest.restoreAllMocks());

  const sessions: ProviderEndedSessions = {
    signal: 'oidc_backchannel_logout',
    sessionIds: ['sid_1', 'sid_2'],
  };
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('ends each session everywhere, for as long as a cookie can live, and reports it', async () => {
    await signals.end(sessions);
    for (const sid of ['sid_1', 'sid_2']) {
      await expect(revocations.status(sid, { iat: START, sub: 'user_a' })).resolves.toBe('revoked');
    }
    await expect(revocations.status('sid_3', { iat: START, sub: 'user_a' })).resolves.toBe('live');
    await settle();
    expect(events.map((e) => e.type === 'session.revoked' && [e.cause, e.sessionId])).toEqual([
      ['backchannel_logout', 'sid_1'],
      ['backchannel_logout', 'sid_2'],
    ]);
    expect(counted).toContainEqual({
      name: 'reauth.signals',
      'reauth.signal': 'oidc_backchannel_logout',
      'reauth.outcome': 'accepted',
    });
  });

  it('ends every session of a user signed in at or before the watermark', async () => {
    await signals.end({ signal: 'workos_event', user: { id: 'user_a', before: START } });
    const status = (iat: number) => revocations.status('sid_9', { iat, sub: 'user_a' });
    await expect(status(START)).resolves.toBe('revoked');
    await expect(status(START + 1)).resolves.toBe('live');
    await settle();
    expect(events).toEqual([
      expect.objectContaining({
        type: 'session.revoked',
        cause: 'provider_event',
        userId: 'user_a',
      }),
    ]);
  });

  it("forgets an ended session's in-page proofs", async () => {
    const proof = `${STORE_KEYS.factor}sid_1:passkey`;
    await store.set(proof, '{}', 600);
    await signals.end(sessions);
    expect(await store.get(proof)).toBeUndefined();
  });

  it('acts on a signal once: its id a second time is refused and ends nothing', async () => {
    await expect(signals.endOnce('jti-1', 120, sessions)).resolves.toBe(true);
    await expect(
      signals.endOnce('jti-1', 120, { signal: 'oidc_backchannel_logout', sessionIds: ['sid_3'] }),
    ).resolves.toBe(false);
    await expect(revocations.status('sid_3', { iat: START })).resolves.toBe('live');
    // The same id from the other signal is another id.
    await expect(
      signals.endOnce('jti-1', 120, { ...sessions, signal: 'workos_event' }),
    ).resolves.toBe(true);
  });

  it('releases the id of a signal it could not act on, so that the retry is not a replay', async () => {
    store.failSets = true;
    await expect(signals.endOnce('jti-2', 120, sessions)).rejects.toBeInstanceOf(
      ReauthUnavailableException,
    );
    store.failSets = false;
    await expect(signals.endOnce('jti-2', 120, sessions)).resolves.toBe(true);
    await expect(revocations.status('sid_1', { iat: START })).resolves.toBe('revoked');
  });

  it('counts signals per address within a minute', async () => {
    for (let i = 0; i < 3; i++) {
      await expect(signals.withinLimit('workos_event', '192.0.2.1')).resolves.toBe(true);
    }
    await expect(signals.withinLimit('workos_event', '192.0.2.1')).resolves.toBe(false);
    await expect(signals.withinLimit('workos_event', '192.0.2.2')).resolves.toBe(true);
  });

  it('reports a refusal in one line and a metric, with the reason only', () => {
    signals.refused('workos_event', 'bad_signature');
    expect(warnings).toEqual(['Refused a WorkOS event: bad_signature']);
    expect(counted).toContainEqual({
      name: 'reauth.signals',
      'reauth.signal': 'workos_event',
      'reauth.outcome': 'refused',
      'reauth.reason': 'bad_signature',
    });
  });

  it('answers 503 when the store cannot count or record', async () => {
    const broken = new FlakyStore();
    broken.setIfAbsent = () => Promise.reject(new Error('ECONNRESET'));
    broken.increment = () => Promise.reject(new Error('ECONNRESET'));
    const failing = new ProviderSignals(
      revocations,
      new FactorLedger(broken, new FunctionReauthClock(() => 0), {} as StepUpSettings),
      broken,
      new ReauthEvents(
        { events: {} } as never,
        new FunctionReauthClock(() => 0),
        ReauthMetrics.create(false),
      ),
      { providerSignals: { perAddressPerMinute: 3 } } as ProviderSignalSettings,
    );
    await expect(failing.firstUse('workos_event', 'id', 60)).rejects.toBeInstanceOf(
      ReauthUnavailableException,
    );
    await expect(failing.withinLimit('workos_event', '192.0.2.1')).rejects.toBeInstanceOf(
      ReauthUnavailableException,
    );
  });
});
