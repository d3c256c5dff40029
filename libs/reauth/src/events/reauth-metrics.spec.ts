import { resolveReauthSetup } from '../options/reauth.options';
import type { ReauthEvent } from './event.types';
import { ReauthMetrics, type ReauthMeter } from './reauth-metrics';

const VALID = {
  apiKey: 'sk_test_x',
  clientId: 'client_x',
  redirectUri: 'http://localhost:3000/auth/callback',
  cookiePassword: 'p'.repeat(32),
};

/** A meter that keeps what was recorded, by instrument name. */
function recordingMeter() {
  const recorded: { name: string; value: number; attributes?: Record<string, unknown> }[] = [];
  const meter: ReauthMeter = {
    createCounter: (name) => ({
      add: (value, attributes) => void recorded.push({ name, value, attributes }),
    }),
    createHistogram: (name) => ({
      record: (value, attributes) => void recorded.push({ name, value, attributes }),
    }),
  };
  return { meter, recorded };
}

const at = new Date(0);

describe('ReauthMetrics', () => {
  it('records nothing, and lets hot paths skip the clock, with metrics: false', () => {
    const metrics = ReauthMetrics.create(false);
    expect(metrics.enabled).toBe(false);
    expect(() =>
      metrics.count({ type: 'reauth.started', mode: 'redirect', time: at }),
    ).not.toThrow();
  });

  it('is a no-op when @opentelemetry/api is not installed', () => {
    const missing = (id: string) => {
      throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
    };
    const metrics = ReauthMetrics.create(undefined, missing);
    expect(metrics.enabled).toBe(false);
    expect(() => metrics.unavailable('store')).not.toThrow();
  });

  it('rethrows a broken @opentelemetry/api instead of hiding it', () => {
    const broken = () => {
      throw new SyntaxError('Unexpected token');
    };
    expect(() => ReauthMetrics.create(undefined, broken)).toThrow(SyntaxError);
  });

  it('follows the global meter provider of @opentelemetry/api by default, even one set late', () => {
    const first = recordingMeter();
    const later = recordingMeter();
    let provider = {
      getMeter: (name: string) => (name === 'nest-workos-reauth' ? first.meter : undefined!),
    };
    const api = { metrics: { getMeterProvider: () => provider } };
    const metrics = ReauthMetrics.create(undefined, () => api);
    expect(metrics.enabled).toBe(true);
    metrics.unavailable('jwks');
    expect(first.recorded).toEqual([
      { name: 'reauth.unavailable', value: 1, attributes: { 'reauth.dependency': 'jwks' } },
    ]);
    // An SDK registered after the module was built: recorded to from then on.
    provider = { getMeter: () => later.meter };
    metrics.unavailable('store');
    expect(first.recorded).toHaveLength(1);
    expect(later.recorded).toEqual([
      { name: 'reauth.unavailable', value: 1, attributes: { 'reauth.dependency': 'store' } },
    ]);
  });

  it('records nothing, and never throws, when the meter cannot make its instruments', () => {
    const metrics = new ReauthMetrics({
      createCounter: () => {
        throw new Error('no counters here');
      },
      createHistogram: () => {
        throw new Error('no histograms here');
      },
    });
    expect(metrics.enabled).toBe(false);
    expect(() => metrics.unavailable('store')).not.toThrow();
    const failing = new ReauthMetrics(undefined, {
      getMeterProvider: () => {
        throw new Error('broken global');
      },
    });
    expect(() =>
      failing.count({ type: 'reauth.started', mode: 'redirect', time: at }),
    ).not.toThrow();
  });

  it.each<[ReauthEvent, string, Record<string, unknown> | undefined]>([
    [
      { type: 'reauth.required', reason: 'stale', time: at },
      'reauth.flows',
      { 'reauth.outcome': 'required', 'reauth.reason': 'stale' },
    ],
    [
      { type: 'reauth.started', mode: 'popup', time: at },
      'reauth.flows',
      { 'reauth.outcome': 'started' },
    ],
    [
      { type: 'reauth.completed', actionRestored: true, time: at },
      'reauth.flows',
      { 'reauth.outcome': 'completed' },
    ],
    [
      { type: 'reauth.failed', reason: 'max_age_not_satisfied', time: at },
      'reauth.flows',
      { 'reauth.outcome': 'failed', 'reauth.reason': 'max_age_not_satisfied' },
    ],
    [{ type: 'session.refreshed', time: at }, 'reauth.sessions', { 'reauth.outcome': 'refreshed' }],
    [
      { type: 'session.revoked', cause: 'refresh_refused', time: at },
      'reauth.sessions',
      { 'reauth.outcome': 'revoked', 'reauth.reason': 'refresh_refused' },
    ],
  ])('counts %o', (event, name, attributes) => {
    const { meter, recorded } = recordingMeter();
    new ReauthMetrics(meter).count(event);
    expect(recorded).toEqual([{ name, value: 1, attributes }]);
  });

  it('does not count store.unavailable twice: the 503 is counted by dependency', () => {
    const { meter, recorded } = recordingMeter();
    new ReauthMetrics(meter).count({ type: 'store.unavailable', effect: 'refused', time: at });
    expect(recorded).toEqual([]);
  });

  it('records durations in seconds, by outcome', () => {
    const { meter, recorded } = recordingMeter();
    const metrics = new ReauthMetrics(meter);
    metrics.verification(performance.now() - 2, 'invalid');
    metrics.refresh(performance.now() - 1500, 'refreshed');
    expect(recorded[0]).toMatchObject({
      name: 'reauth.token.verification.duration',
      attributes: { 'reauth.outcome': 'invalid' },
    });
    expect(recorded[0].value).toBeGreaterThanOrEqual(0.002);
    expect(recorded[0].value).toBeLessThan(1);
    expect(recorded[1]).toMatchObject({
      name: 'reauth.session.refresh.duration',
      attributes: { 'reauth.outcome': 'refreshed' },
    });
    expect(recorded[1].value).toBeGreaterThanOrEqual(1.5);
  });

  it('swallows a meter that throws', () => {
    const throwing = () => {
      throw new Error('down');
    };
    const metrics = new ReauthMetrics({
      createCounter: () => ({ add: throwing }),
      createHistogram: () => ({ record: throwing }),
    });
    expect(() =>
      metrics.count({ type: 'reauth.started', mode: 'redirect', time: at }),
    ).not.toThrow();
    expect(() => metrics.verification(0, 'valid')).not.toThrow();
    expect(() => metrics.refresh(0, 'ended')).not.toThrow();
    expect(() => metrics.unavailable('oidc')).not.toThrow();
  });
});

describe('the events and metrics options', () => {
  it('defaults to emitting through EventEmitter2 with no listener', () => {
    expect(resolveReauthSetup(VALID).options.events).toEqual({ eventEmitter: true });
  });

  it('takes a function or an object with onReauthEvent', () => {
    const listener = { onReauthEvent: () => undefined };
    expect(resolveReauthSetup({ ...VALID, events: { listener } }).options.events).toEqual({
      listener,
      eventEmitter: true,
    });
    const fn = () => undefined;
    expect(
      resolveReauthSetup({ ...VALID, events: { listener: fn, eventEmitter: false } }).options
        .events,
    ).toEqual({ listener: fn, eventEmitter: false });
  });

  it.each<[unknown, RegExp]>([
    [null, /events must be an object/],
    ['yes', /events must be an object/],
    [{ listener: 'log' }, /events.listener must be a function or an object/],
    [{ listener: { handle: () => 1 } }, /events.listener must be a function or an object/],
    [{ eventEmitter: 'on' }, /events.eventEmitter must be a boolean/],
  ])('refuses events %p', (events, message) => {
    expect(() => resolveReauthSetup({ ...VALID, events } as never)).toThrow(message);
  });

  it.each<[unknown, RegExp]>([
    [true, /metrics must be false or an object/],
    [null, /metrics must be false or an object/],
    [{ meter: {} }, /metrics.meter must be an OpenTelemetry Meter/],
    [{ meter: null }, /metrics.meter must be an OpenTelemetry Meter/],
  ])('refuses metrics %p', (metrics, message) => {
    expect(() => resolveReauthSetup({ ...VALID, metrics } as never)).toThrow(message);
  });

  it('takes a meter, or false', () => {
    const { meter } = recordingMeter();
    expect(resolveReauthSetup({ ...VALID, metrics: { meter } }).metrics.enabled).toBe(true);
    expect(resolveReauthSetup({ ...VALID, metrics: false }).metrics.enabled).toBe(false);
  });
});
