// A fixture for the unit specs of the guard, the exception filter and the callback: the real
// module on a fake identity provider, the memory store, a frozen clock and a recording HTTP
// adapter. Not part of the package (`*.spec.*` is left out of what is published).
import { Controller, type ArgumentsHost, type ExecutionContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DiscoveryService, HttpAdapterHost, type AbstractHttpAdapter } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RequireRecentAuth, RequireSignIn } from '../decorators/require-recent-auth.decorator';
import type { ReauthEvent } from '../events/event.types';
import { ReauthExceptionFilter } from '../filter/reauth-exception.filter';
import { RecentAuthGuard } from '../guard/recent-auth.guard';
import type { ReauthRequest } from '../interfaces';
import { IdentityProvider, ProviderRejectedError } from '../providers/identity-provider';
import type {
  AuthorizationRequest,
  CodeRedemption,
  IssuedSession,
  ProviderSession,
  TokenVerificationSettings,
} from '../providers/identity-provider';
import { ReauthModule } from '../reauth.module';
import { MemoryReauthStore } from '../stores/memory-reauth.store';
import { TestClock } from '../testing/test-clock';

export const ISSUER = 'https://idp.test';
export const APP = 'http://app.test';
export const T0 = Date.UTC(2030, 0, 1);
export const T0_SECONDS = T0 / 1000;

/** The user the specs sign in, her session at the fake provider, and an assurance level. */
export const ALICE = 'user_alice';
export const SID = `session_${ALICE}`;
export const ACR = 'urn:example:loa:2';

/** Routes with each kind of requirement, for the guard and the filter. */
@Controller('account')
export class AccountRoutes {
  @RequireRecentAuth(300)
  fresh(): void {}

  @RequireRecentAuth(300, { acr: [ACR] })
  strong(): void {}

  @RequireRecentAuth(300, { amr: ['mfa', 'hwk'] })
  secondFactor(): void {}

  @RequireRecentAuth(0)
  remove(): void {}

  @RequireRecentAuth(300, { action: (req) => req.body })
  transfer(): void {}

  @RequireRecentAuth(300, { allowImpersonation: true })
  support(): void {}

  @RequireRecentAuth(300, { allowCrossOrigin: true })
  embedded(): void {}

  @RequireSignIn()
  profile(): void {}

  open(): void {}
}

export type AccountHandler = keyof AccountRoutes;
export type GuardedRequest = ReauthRequest & { body?: unknown };

/** What a code redeems to, set by a test before the callback. */
export interface FakeSignIn {
  sub: string;
  authTime?: number;
  sid?: string;
  acr?: string;
  /** More claims of the access token (`act`, say). */
  claims?: Record<string, unknown>;
  /** Signs the token with another key, so it does not verify. */
  forged?: boolean;
  /** The token's `iss`; the provider's own by default. */
  issuer?: string;
  /** The user's email, in the session's user profile (a cookie session's `login_hint`). */
  email?: string;
}

/** An identity provider that answers from memory and signs RS256 tokens with its own key. */
export class FakeIdentityProvider extends IdentityProvider {
  readonly dependency = 'workos' as const;
  readonly revocationScope = 'session' as const;
  readonly codes = new Map<string, FakeSignIn | Error>();
  readonly authorizations: AuthorizationRequest[] = [];
  readonly redemptions: CodeRedemption[] = [];
  readonly revoked: { sessionId?: string; refreshToken?: string }[] = [];
  failAuthorization?: Error;

  constructor(
    private readonly jwksUrl: string,
    private readonly key: CryptoKey,
    private readonly otherKey: CryptoKey,
    private readonly clock: TestClock,
  ) {
    super();
  }

  describe(): string {
    return 'a fake provider';
  }

  verification(): Promise<TokenVerificationSettings> {
    return Promise.resolve({
      jwksUrl: this.jwksUrl,
      issuers: [ISSUER],
      algorithms: ['RS256'],
      requireSid: true,
    });
  }

  authorizationUrl(request: AuthorizationRequest): Promise<string> {
    if (this.failAuthorization) return Promise.reject(this.failAuthorization);
    this.authorizations.push(request);
    const url = new URL(`${ISSUER}/authorize`);
    url.searchParams.set('state', request.state);
    if (request.maxAge !== undefined) url.searchParams.set('max_age', String(request.maxAge));
    return Promise.resolve(url.toString());
  }

  isOwnResponse(query: URLSearchParams): Promise<boolean> {
    const iss = query.get('iss');
    return Promise.resolve(iss === null || iss === ISSUER);
  }

  async redeemCode(redemption: CodeRedemption): Promise<IssuedSession> {
    this.redemptions.push(redemption);
    const signIn = this.codes.get(redemption.code);
    if (signIn === undefined) throw new ProviderRejectedError('invalid_grant');
    if (signIn instanceof Error) throw signIn;
    return this.issue(signIn);
  }

  /** A session as a code exchange would issue it, for a browser's cookie. */
  async issue(signIn: FakeSignIn): Promise<IssuedSession> {
    const sid = signIn.sid ?? `session_${signIn.sub}`;
    const accessToken = await this.token(signIn);
    const session: ProviderSession = {
      accessToken,
      refreshToken: `refresh_${sid}`,
      sessionId: sid,
      ...(signIn.email === undefined ? {} : { user: { id: signIn.sub, email: signIn.email } }),
    };
    return {
      ...session,
      sealed: `fake.${Buffer.from(JSON.stringify(session)).toString('base64url')}`,
    };
  }

  refresh(): Promise<IssuedSession> {
    return Promise.reject(new ProviderRejectedError('invalid_grant'));
  }

  unseal(sealed: string): Promise<ProviderSession | undefined> {
    if (!sealed.startsWith('fake.')) return Promise.resolve(undefined);
    const json = Buffer.from(sealed.slice(5), 'base64url').toString();
    return Promise.resolve(JSON.parse(json) as ProviderSession);
  }

  revoke(session: { sessionId?: string; refreshToken?: string }): Promise<boolean> {
    this.revoked.push(session);
    return Promise.resolve(true);
  }

  logoutUrl(_session: unknown, returnTo: string): Promise<string> {
    return Promise.resolve(`${ISSUER}/logout?return_to=${encodeURIComponent(returnTo)}`);
  }

  /** An access token of this provider (or, `forged`, signed with another key). */
  token(signIn: FakeSignIn): Promise<string> {
    const now = this.clock.nowSeconds();
    return new SignJWT({
      sid: signIn.sid ?? `session_${signIn.sub}`,
      auth_time: signIn.authTime,
      ...(signIn.acr === undefined ? {} : { acr: signIn.acr }),
      ...signIn.claims,
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'fake-key' })
      .setIssuer(signIn.issuer ?? ISSUER)
      .setSubject(signIn.sub)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(signIn.forged ? this.otherKey : this.key);
  }
}

/** A response as the recording adapter leaves it. */
export interface RecordedResponse {
  status?: number;
  headers: Record<string, string | string[]>;
  body?: unknown;
  location?: string;
}

export function recordedResponse(): RecordedResponse {
  return { headers: {} };
}

/** Nest's HTTP adapter, reduced to what the library calls, writing to a {@link RecordedResponse}. */
function recordingAdapter(): AbstractHttpAdapter {
  const adapter = {
    getType: () => 'recording',
    isHeadersSent: () => false,
    getHeader: (res: RecordedResponse, name: string) => res.headers[name.toLowerCase()],
    setHeader: (res: RecordedResponse, name: string, value: string) => {
      res.headers[name.toLowerCase()] = value;
    },
    appendHeader: (res: RecordedResponse, name: string, value: string) => {
      const key = name.toLowerCase();
      const existing = res.headers[key];
      res.headers[key] = existing === undefined ? [value] : [existing, value].flat();
    },
    redirect: (res: RecordedResponse, status: number, location: string) => {
      res.status = status;
      res.location = location;
    },
    reply: (res: RecordedResponse, body: unknown, status: number) => {
      res.status = status;
      res.body = body;
    },
  };
  return adapter as unknown as AbstractHttpAdapter;
}

/** A request as Express would hand it over. */
export function request(
  method: string,
  url: string,
  headers: Record<string, string> = {},
): GuardedRequest {
  return {
    method,
    url,
    originalUrl: url,
    headers: { host: 'app.test', ...headers },
    ip: '10.0.0.1',
  };
}

/** The context Nest gives a guard for an HTTP route: `handler` of `controller`. */
export function httpContext(
  controller: abstract new (...args: never[]) => unknown,
  handler: string,
  req: object,
  res: object = recordedResponse(),
): ExecutionContext {
  const prototype = controller.prototype as Record<string, (...args: unknown[]) => unknown>;
  const context = new ExecutionContextHost([req, res], controller as never, prototype[handler]);
  context.setType('http');
  return context;
}

/**
 * The context Nest gives a guard (or a filter) for a GraphQL resolver: `root, args, context,
 * info`, with `context` as the GraphQL context (`{ req, res }` over HTTP).
 */
export function graphqlContext(
  controller: abstract new (...args: never[]) => unknown,
  handler: string,
  context: unknown,
  operation: 'query' | 'mutation' | 'subscription' = 'query',
): ExecutionContext {
  const prototype = controller.prototype as Record<string, (...args: unknown[]) => unknown>;
  const info = { fieldName: handler, parentType: { name: 'Query' }, operation: { operation } };
  const host = new ExecutionContextHost(
    [undefined, {}, context, info],
    controller as never,
    prototype[handler],
  );
  host.setType('graphql');
  return host;
}

/** The host Nest gives an exception filter for an HTTP request. */
export function httpHost(req: object, res: object): ArgumentsHost {
  const host = new ExecutionContextHost([req, res]);
  host.setType('http');
  return host;
}

/** The `Cookie` header of a set of `Set-Cookie` values. */
export function cookieHeader(...setCookies: string[]): string {
  return setCookies.map((value) => value.split(';', 1)[0]).join('; ');
}

/** Lets the events of what just happened arrive (they are delivered on the next turn). */
export function delivered(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The provider's signing key and another one, made once per spec file (RSA takes a while). */
let keys: Promise<Awaited<ReturnType<typeof generateKeyPair>>[]> | undefined;

export type EdgeFixture = Awaited<ReturnType<typeof edgeFixture>>;

/** The real module on the fake provider, with Alice's credentials; call `close()` after each test. */
export async function edgeFixture(options: Record<string, unknown> = {}) {
  const clock = new TestClock(T0);
  keys ??= Promise.all([generateKeyPair('RS256'), generateKeyPair('RS256')]);
  const [{ publicKey, privateKey }, other] = await keys;
  const jwk = { ...(await exportJWK(publicKey)), kid: 'fake-key', alg: 'RS256', use: 'sig' };
  const jwksAnswer = { down: false };
  const jwks: Server = createServer((_req, res) => {
    if (jwksAnswer.down) {
      res.statusCode = 503;
      res.end();
      return;
    }
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const { port } = jwks.address() as AddressInfo;
  const provider = new FakeIdentityProvider(
    `http://127.0.0.1:${port}/jwks`,
    privateKey,
    other.privateKey,
    clock,
  );
  const store = new MemoryReauthStore({ now: () => clock.now() });
  const events: ReauthEvent[] = [];
  const moduleRef = await Test.createTestingModule({
    imports: [
      ReauthModule.forRoot({
        apiKey: 'sk_test_fake',
        clientId: 'client_fake',
        redirectUri: `${APP}/auth/callback`,
        cookiePassword: 'a-cookie-password-of-at-least-32-characters',
        store,
        now: () => clock.now(),
        events: { listener: (event: ReauthEvent) => events.push(event), eventEmitter: false },
        ...options,
      }),
    ],
  })
    .overrideProvider(IdentityProvider)
    .useValue(provider)
    .compile();
  moduleRef.get(HttpAdapterHost).httpAdapter = recordingAdapter();
  /** Alice, signed in now (by the frozen clock), with `signIn` over that. */
  const signedIn = (signIn: Partial<FakeSignIn> = {}): FakeSignIn => ({
    sub: ALICE,
    authTime: T0_SECONDS,
    ...signIn,
  });
  return {
    moduleRef,
    clock,
    store,
    provider,
    events,
    signedIn,
    /** An `Authorization` header with the access token of {@link signedIn}. */
    async bearer(signIn: Partial<FakeSignIn> = {}): Promise<Record<string, string>> {
      return { authorization: `Bearer ${await provider.token(signedIn(signIn))}` };
    },
    /** A `Cookie` header with the session cookie of {@link signedIn}. */
    async cookie(signIn: Partial<FakeSignIn> = {}): Promise<Record<string, string>> {
      return { cookie: `wos-session=${(await provider.issue(signedIn(signIn))).sealed}` };
    },
    /** The module's global guard. */
    guard: () => moduleRef.get(RecentAuthGuard),
    /** The module's global exception filter (registered as `APP_FILTER`, so found by class). */
    filter(): ReauthExceptionFilter {
      const found = moduleRef
        .get(DiscoveryService)
        .getProviders()
        .find((wrapper) => wrapper.instance instanceof ReauthExceptionFilter);
      if (!found) throw new Error('ReauthModule registered no ReauthExceptionFilter');
      return found.instance as ReauthExceptionFilter;
    },
    /** Makes the JWKS endpoint answer 503 from now on (keys fetched before stay cached). */
    failJwks() {
      jwksAnswer.down = true;
    },
    /** Closes the module and the JWKS endpoint, and restores what the test spied on. */
    async close() {
      jest.restoreAllMocks();
      await moduleRef.close();
      await new Promise((resolve) => jwks.close(resolve));
    },
  };
}
