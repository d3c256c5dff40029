import { Injectable } from '@nestjs/common';
import { EventEmitterModule, OnEvent } from '@nestjs/event-emitter';
import * as otel from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  MetricReader,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { unsealState } from '../../libs/reauth/src/core';
import { type ReauthEvent } from '../../libs/reauth/src/events/event.types';
import { FaultyStore } from '../support/faulty-store';
import { signInThroughPages, type Credentials } from '../support/emulator';
import { HttpBrowser, type BrowserResponse } from '../support/http-browser';
import { RecordingLogger } from '../support/recording-logger';
import { COOKIE_PASSWORD, type ScenarioApp, startScenarioApp } from '../support/reauth-app';
import { ROUTES } from './events.routes';

const ALICE: Credentials = { email: 'alice@example.com', password: 'alice-password' };
const NAVIGATE = { accept: 'text/html', 'sec-fetch-mode': 'navigate' };
const FRESH_ROUTE = '/:EventsRoutes.fresh';

/** What a sealed state holds (the test knows the cookie password). */
const stateOf = (state: string, now: number) => unsealState(state, COOKIE_PASSWORD, now);

/** Events settle after the response: wait for the ones a step produced, not for time. */
async function until<T>(read: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`never saw ${what}`);
}

describe('Audit events and metrics', () => {
  let scenario: ScenarioApp | undefined;
  afterEach(async () => {
    await scenario?.close();
    scenario = undefined;
  });

  /** Signs in, then walks the life of a session; returns every secret the browser held. */
  async function liveASession(app: ScenarioApp, browser: HttpBrowser): Promise<string[]> {
    const secrets: string[] = [];
    const keep = (res: BrowserResponse) => {
      for (const cookie of res.headers.getSetCookie()) {
        const value = cookie.split(';')[0].split('=').slice(1).join('=');
        if (value.length > 8) secrets.push(value);
      }
      for (const name of ['state', 'code']) {
        const value = res.location && new URL(res.location, app.url).searchParams.get(name);
        if (value) secrets.push(value);
      }
      return res;
    };
    const through = async (authorizationUrl: string) => {
      const url = await signInThroughPages(
        browser,
        authorizationUrl,
        ALICE,
        app.emulator,
        app.redirectUri,
      );
      secrets.push(url.searchParams.get('code')!, url.searchParams.get('state')!);
      return keep(await browser.get(url.href, NAVIGATE));
    };

    const login = keep(await browser.get(`${app.url}/auth/login?returnTo=%2Ffresh`, NAVIGATE));
    expect((await through(login.location!)).status).toBe(303);
    expect((await browser.get(`${app.url}/fresh`)).status).toBe(200);

    // Past the token's lifetime and the route's max_age: the cookie is refreshed, then refused.
    app.emulator.advanceClock(400);
    const stale = keep(await browser.get(`${app.url}/fresh`, NAVIGATE));
    expect(stale.status).toBe(302);
    expect((await through(stale.location!)).status).toBe(303);
    expect((await browser.get(`${app.url}/fresh`)).status).toBe(200);

    const logout = keep(
      await browser.request(`${app.url}/auth/logout`, {
        method: 'POST',
        headers: { origin: app.url },
      }),
    );
    expect(logout.status).toBe(303);
    return secrets;
  }

  it('reports a session from sign-in to sign-out, by user, session and route, with no secret', async () => {
    const events: ReauthEvent[] = [];
    scenario = await startScenarioApp(ROUTES, {
      reauth: () => ({ events: { listener: (event) => void events.push(event) } }),
    });
    const app = scenario;
    const secrets = await liveASession(app, new HttpBrowser());
    await until(() => events.find((e) => e.type === 'session.revoked'), 'the sign-out');

    expect(events.map((e) => e.type)).toEqual([
      'reauth.started', // the sign-in
      'reauth.completed',
      'session.refreshed', // the expired token in the cookie
      'reauth.required',
      'reauth.started', // the re-authentication
      'reauth.completed',
      'session.revoked',
    ]);
    const [signIn, signedIn, refreshed, required, started, completed, revoked] = events;
    const sub = (signedIn as Extract<ReauthEvent, { type: 'reauth.completed' }>).userId!;
    const sid = signedIn.sessionId!;
    expect(sub).toMatch(/^user_/);
    expect(sid).toMatch(/^session_/);
    expect(signIn).toMatchObject({ mode: 'redirect', maxAge: undefined, userId: undefined });
    expect(signedIn).toMatchObject({ maxAge: undefined, actionRestored: false });
    expect(refreshed).toMatchObject({ userId: sub, sessionId: sid });
    expect(required).toMatchObject({
      reason: 'stale',
      userId: sub,
      sessionId: sid,
      route: FRESH_ROUTE,
      maxAge: 300,
    });
    expect(started).toMatchObject({ userId: sub, sessionId: sid, route: FRESH_ROUTE, maxAge: 300 });
    expect(completed).toMatchObject({
      userId: sub,
      route: FRESH_ROUTE,
      maxAge: 300,
      authTime: app.emulator.now(),
    });
    expect(revoked).toMatchObject({ cause: 'sign_out', userId: sub });
    for (const event of events) {
      expect(event.time).toBeInstanceOf(Date);
      expect(Object.isFrozen(event)).toBe(true);
    }
    // Stamped on the library's clock (the emulator's here), not the machine's.
    expect(completed.time.getTime()).toBe(app.emulator.now() * 1000);

    const serialized = JSON.stringify(events);
    expect(secrets.length).toBeGreaterThanOrEqual(8);
    for (const secret of secrets) expect(serialized).not.toContain(secret);
    expect(serialized).not.toContain('alice@example.com');
  });

  it('reports a cancelled re-authentication and a replayed callback as failures', async () => {
    const events: ReauthEvent[] = [];
    scenario = await startScenarioApp(ROUTES, {
      reauth: () => ({ events: { listener: { onReauthEvent: (event) => events.push(event) } } }),
    });
    const app = scenario;
    const browser = new HttpBrowser();
    const login = await browser.get(`${app.url}/auth/login?returnTo=%2Ffresh`, NAVIGATE);
    const url = await signInThroughPages(
      browser,
      login.location!,
      ALICE,
      app.emulator,
      app.redirectUri,
    );
    const binding = await browser.jar.getCookieString(app.redirectUri);
    expect((await browser.get(url.href, NAVIGATE)).status).toBe(303);
    // A reload where the session it made is held goes on, and is no failure; a replay elsewhere is.
    expect((await browser.get(url.href, NAVIGATE)).status).toBe(303);
    const elsewhere = await new HttpBrowser().get(url.href, { ...NAVIGATE, cookie: binding });
    expect(elsewhere.status).toBe(400);

    app.emulator.advanceClock(310);
    const stale = await browser.get(`${app.url}/fresh`, NAVIGATE);
    const state = new URL(stale.location!).searchParams.get('state')!;
    const cancel = new URL(app.redirectUri);
    cancel.search = new URLSearchParams({ error: 'access_denied', state }).toString();
    expect((await browser.get(cancel.href, NAVIGATE)).status).toBe(303);
    await browser.get(`${app.url}/auth/callback?state=garbage&code=x`, NAVIGATE);

    const failures = await until(() => {
      const found = events.filter((e) => e.type === 'reauth.failed');
      return found.length === 3 ? found : undefined;
    }, 'three failures');
    const sub = events.find((e) => e.type === 'reauth.completed')!.userId;
    expect(failures).toEqual([
      // Refused before the provider hears of the used code again.
      expect.objectContaining({ reason: 'state_replayed', userId: undefined }),
      expect.objectContaining({ reason: 'cancelled', userId: sub, route: FRESH_ROUTE }),
      expect.objectContaining({ reason: 'state_invalid' }),
    ]);
  });

  it('never lets a listener that throws, rejects or never settles change or hold a request', async () => {
    const logger = new RecordingLogger();
    const behaviours = [
      () => {
        throw new TypeError('listener bug holding secret-value-1');
      },
      () => Promise.reject(new Error('rejected with secret-value-2')),
      () => new Promise(() => undefined),
    ];
    for (const behaviour of behaviours) {
      let calls = 0;
      scenario = await startScenarioApp(ROUTES, {
        logger,
        reauth: () => ({
          events: {
            listener: () => {
              calls++;
              return behaviour();
            },
          },
        }),
      });
      const secrets = await liveASession(scenario, new HttpBrowser());
      expect(secrets.length).toBeGreaterThan(0);
      await until(() => (calls >= 7 ? true : undefined), 'every delivery');
      await scenario.close();
      scenario = undefined;
    }
    const warnings = logger.lines.filter((line) => line.includes('reauth event'));
    expect(warnings.length).toBeGreaterThanOrEqual(2);
    expect(warnings.join('\n')).not.toContain('secret-value');
    expect(warnings.join('\n')).toMatch(/requests are not affected/);
  });

  it('names nobody in the failure of a state replayed from another browser', async () => {
    const events: ReauthEvent[] = [];
    scenario = await startScenarioApp(ROUTES, {
      reauth: () => ({ events: { listener: (event) => void events.push(event) } }),
    });
    const app = scenario;
    const victim = new HttpBrowser();
    const login = await victim.get(`${app.url}/auth/login?returnTo=%2Ffresh`, NAVIGATE);
    const signedIn = await signInThroughPages(
      victim,
      login.location!,
      ALICE,
      app.emulator,
      app.redirectUri,
    );
    expect((await victim.get(signedIn.href, NAVIGATE)).status).toBe(303);
    app.emulator.advanceClock(310);
    const stale = await victim.get(`${app.url}/fresh`, NAVIGATE);
    // The victim's re-authentication was started; another browser replays its state.
    const state = new URL(stale.location!).searchParams.get('state')!;
    const replay = new URL(app.redirectUri);
    replay.search = new URLSearchParams({ error: 'access_denied', state }).toString();
    const attacker = new HttpBrowser();
    expect((await attacker.get(replay.href, NAVIGATE)).status).toBe(400);
    const failure = await until(
      () => events.find((e) => e.type === 'reauth.failed'),
      'the failure',
    );
    expect((await stateOf(state, app.emulator.now())).sub).toMatch(/^user_/);
    expect(failure).toEqual({
      type: 'reauth.failed',
      reason: 'state_not_bound',
      time: expect.any(Date),
    });
  });

  it('catches an @OnEvent handler that throws, even with suppressErrors off', async () => {
    let calls = 0;
    @Injectable()
    class BrokenAudit {
      @OnEvent('reauth.*', { suppressErrors: false })
      onReauth() {
        calls++;
        throw new Error('audit sink down, holding secret-value-3');
      }
    }
    const logger = new RecordingLogger();
    scenario = await startScenarioApp(ROUTES, {
      logger,
      imports: [EventEmitterModule.forRoot({ wildcard: true })],
      providers: [BrokenAudit],
    });
    await liveASession(scenario, new HttpBrowser());
    await until(() => (calls >= 4 ? true : undefined), 'every delivery');
    await until(
      () => logger.lines.find((line) => line.includes('@OnEvent handler failed')),
      'the warning',
    );
    expect(logger.lines.join('\n')).not.toContain('secret-value');
  });

  it('emits each event by name through @nestjs/event-emitter when the app uses it', async () => {
    @Injectable()
    class AuditTrail {
      readonly seen: ReauthEvent[] = [];

      @OnEvent('reauth.*')
      onReauth(event: ReauthEvent) {
        this.seen.push(event);
      }

      @OnEvent('session.revoked')
      onRevoked(event: ReauthEvent) {
        this.seen.push(event);
      }
    }
    scenario = await startScenarioApp(ROUTES, {
      imports: [EventEmitterModule.forRoot({ wildcard: true })],
      providers: [AuditTrail],
    });
    const trail = scenario.app.get(AuditTrail);
    await liveASession(scenario, new HttpBrowser());
    await until(() => trail.seen.find((e) => e.type === 'session.revoked'), 'the sign-out');
    expect(trail.seen.map((e) => e.type)).toEqual([
      'reauth.started',
      'reauth.completed',
      'reauth.required',
      'reauth.started',
      'reauth.completed',
      'session.revoked',
    ]);
  });

  it('reports a store that does not answer, and still answers 503', async () => {
    const events: ReauthEvent[] = [];
    scenario = await startScenarioApp(ROUTES, {
      reauth: () => ({
        store: new FaultyStore({ methods: ['setIfAbsent'], prefixes: ['reauth:state:'] }),
        events: { listener: (event) => void events.push(event) },
      }),
    });
    const browser = new HttpBrowser();
    const login = await browser.get(`${scenario.url}/auth/login`, NAVIGATE);
    const url = await signInThroughPages(
      browser,
      login.location!,
      ALICE,
      scenario.emulator,
      scenario.redirectUri,
    );
    expect((await browser.get(url.href, NAVIGATE)).status).toBe(503);
    const unavailable = await until(
      () => events.find((e) => e.type === 'store.unavailable'),
      'store.unavailable',
    );
    expect(unavailable).toMatchObject({ effect: 'refused' });
    expect(events.some((e) => e.type === 'reauth.completed')).toBe(false);
    // The sign-in that was started ends in a failure, named for what it was.
    expect(events.find((e) => e.type === 'reauth.failed')).toMatchObject({
      reason: 'unavailable',
    });
  });

  describe('metrics', () => {
    class ManualReader extends MetricReader {
      protected onForceFlush(): Promise<void> {
        return Promise.resolve();
      }
      protected onShutdown(): Promise<void> {
        return Promise.resolve();
      }
    }

    /** Every data point of the collected metrics, by instrument name. */
    async function collect(reader: MetricReader) {
      const { resourceMetrics } = await reader.collect();
      const points = new Map<string, { attributes: Record<string, unknown>; value: unknown }[]>();
      for (const scope of resourceMetrics.scopeMetrics) {
        for (const metric of scope.metrics) {
          points.set(
            metric.descriptor.name,
            metric.dataPoints.map((point) => ({
              attributes: point.attributes,
              value: point.value,
            })),
          );
        }
      }
      return points;
    }

    const sumOf = (
      points: { attributes: Record<string, unknown>; value: unknown }[] | undefined,
      attributes: Record<string, unknown>,
    ) =>
      (points ?? [])
        .filter((point) =>
          Object.entries(attributes).every(([key, value]) => point.attributes[key] === value),
        )
        .reduce((total, point) => total + (point.value as number), 0);

    const countOf = (
      points: { attributes: Record<string, unknown>; value: unknown }[] | undefined,
      outcome: string,
    ) =>
      (points ?? [])
        .filter((point) => point.attributes['reauth.outcome'] === outcome)
        .reduce((total, point) => total + (point.value as { count: number }).count, 0);

    it('counts flows and sessions by outcome and reason, and times verifications and refreshes', async () => {
      const reader = new ManualReader();
      const provider = new MeterProvider({ readers: [reader] });
      scenario = await startScenarioApp(ROUTES, {
        reauth: () => ({ metrics: { meter: provider.getMeter('test') } }),
      });
      await liveASession(scenario, new HttpBrowser());
      // A forged token is refused by its signature: an invalid verification.
      const forged = await scenario.emulator.mintAccessToken({
        email: 'alice@example.com',
        authTime: scenario.emulator.now(),
      });
      const tampered = `${forged.slice(0, -4)}AAAA`;
      const refused = await fetch(`${scenario.url}/fresh`, {
        headers: { authorization: `Bearer ${tampered}` },
      });
      expect(refused.status).toBe(401);

      const points = await collect(reader);
      const flows = points.get('reauth.flows');
      // The sign-in, the re-authentication, and the 401 of the forged token (it carries a URL).
      expect(sumOf(flows, { 'reauth.outcome': 'started' })).toBe(3);
      expect(sumOf(flows, { 'reauth.outcome': 'completed' })).toBe(2);
      expect(sumOf(flows, { 'reauth.outcome': 'required', 'reauth.reason': 'stale' })).toBe(1);
      expect(sumOf(flows, { 'reauth.outcome': 'required', 'reauth.reason': 'invalid_token' })).toBe(
        1,
      );
      const sessions = points.get('reauth.sessions');
      expect(sumOf(sessions, { 'reauth.outcome': 'refreshed' })).toBe(1);
      expect(sumOf(sessions, { 'reauth.outcome': 'revoked', 'reauth.reason': 'sign_out' })).toBe(1);
      const verifications = points.get('reauth.token.verification.duration');
      expect(countOf(verifications, 'valid')).toBeGreaterThanOrEqual(3);
      // The forged token, and the expired one in the cookie before its refresh.
      expect(countOf(verifications, 'invalid')).toBe(2);
      expect(countOf(points.get('reauth.session.refresh.duration'), 'refreshed')).toBe(1);
      await provider.shutdown();
    });

    it('counts 503s by dependency', async () => {
      const reader = new ManualReader();
      const provider = new MeterProvider({ readers: [reader] });
      scenario = await startScenarioApp(ROUTES, {
        reauth: () => ({ jwksTimeoutMs: 500, metrics: { meter: provider.getMeter('test') } }),
      });
      const token = await scenario.emulator.mintAccessToken({
        email: 'alice@example.com',
        authTime: scenario.emulator.now(),
      });
      scenario.emulator.setFaults({ jwks: { status: 503 } });
      const res = await fetch(`${scenario.url}/fresh`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(503);
      const points = await collect(reader);
      expect(sumOf(points.get('reauth.unavailable'), { 'reauth.dependency': 'jwks' })).toBe(1);
      expect(countOf(points.get('reauth.token.verification.duration'), 'unavailable')).toBe(1);
      await provider.shutdown();
    });

    it('follows the global OpenTelemetry meter provider when given no meter', async () => {
      const reader = new ManualReader();
      const provider = new MeterProvider({ readers: [reader] });
      try {
        scenario = await startScenarioApp(ROUTES);
        // Registered once the app runs, as an SDK started late (or replaced) would be.
        otel.metrics.setGlobalMeterProvider(provider);
        await liveASession(scenario, new HttpBrowser());
        const points = await collect(reader);
        expect(sumOf(points.get('reauth.flows'), { 'reauth.outcome': 'completed' })).toBe(2);
      } finally {
        otel.metrics.disable();
        await provider.shutdown();
      }
    });

    it('decides the same with a meter that throws and an exporter that fails', async () => {
      const throwing = () => {
        throw new Error('meter down');
      };
      const brokenMeter = {
        createCounter: () => ({ add: throwing }),
        createHistogram: () => ({ record: throwing }),
      };
      scenario = await startScenarioApp(ROUTES, {
        reauth: () => ({ metrics: { meter: brokenMeter } }),
      });
      expect((await liveASession(scenario, new HttpBrowser())).length).toBeGreaterThan(0);
      await scenario.close();

      let exports = 0;
      const failingExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
      failingExporter.export = (_metrics, done) => {
        exports++;
        // ExportResultCode.FAILED
        done({ code: 1, error: new Error('collector unreachable') });
      };
      const provider = new MeterProvider({
        readers: [
          new PeriodicExportingMetricReader({
            exporter: failingExporter,
            exportIntervalMillis: 100,
            exportTimeoutMillis: 50,
          }),
        ],
      });
      scenario = await startScenarioApp(ROUTES, {
        reauth: () => ({ metrics: { meter: provider.getMeter('test') } }),
      });
      expect((await liveASession(scenario, new HttpBrowser())).length).toBeGreaterThan(0);
      await provider.forceFlush().catch(() => undefined);
      expect(exports).toBeGreaterThan(0);
      await provider.shutdown().catch(() => undefined);
    });
  });
});
