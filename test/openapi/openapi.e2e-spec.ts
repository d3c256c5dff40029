import { Controller, Delete, Get, HttpCode, Post, Put } from '@nestjs/common';
import * as swagger from '@nestjs/swagger';
import {
  ApiOkResponse,
  ApiProperty,
  DocumentBuilder,
  SwaggerModule,
  type OpenAPIObject,
} from '@nestjs/swagger';
import type {
  HeaderObject,
  OperationObject,
  ReferenceObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { RequireRecentAuth, RequireSignIn } from 'nest-workos-reauth';
import type { SwaggerApi } from '../../libs/reauth/src/openapi/swagger-api';
import { FaultyStore } from '../support/faulty-store';
import { signInToApp, startScenarioApp, type ScenarioApp } from '../support/reauth-app';

// The installed package fits the library's own typing of the parts it calls.
const fitsTheLibrarysTyping: SwaggerApi = swagger;
void fitsTheLibrarysTyping;

class Profile {
  @ApiProperty()
  email!: string;
}

const ACR = ['urn:example:loa:2', 'urn:example:loa:3'];

@Controller('docs')
class DocumentedController {
  @Get('public')
  public() {
    return { ok: true };
  }

  @Get('account')
  @RequireSignIn()
  account() {
    return { ok: true };
  }

  @Post('email')
  @RequireRecentAuth(300)
  changeEmail() {
    return { ok: true };
  }

  // Above the route decorator, so it runs before @Put has said what the route is.
  @RequireRecentAuth(300)
  @Put('password')
  changePassword() {
    return { ok: true };
  }

  @Get('keys')
  @RequireRecentAuth(600, { acr: ACR })
  keys() {
    return { ok: true };
  }

  @Delete('account')
  @HttpCode(204)
  @RequireRecentAuth(0)
  deleteAccount() {}

  @Post('notes')
  @RequireRecentAuth(300, { allowCrossOrigin: true, allowImpersonation: true })
  notes() {
    return { ok: true };
  }

  @Get('quiet')
  @RequireRecentAuth(300, { openapi: false })
  quiet() {
    return { ok: true };
  }

  @Get('profile')
  @ApiOkResponse({ type: Profile, description: 'The profile.' })
  @RequireSignIn()
  profile() {
    return { email: 'alice@example.com' };
  }
}

@Controller('admin')
@RequireRecentAuth(900)
class AdminController {
  @Get('users')
  users() {
    return [];
  }

  @Post('users')
  addUser() {
    return { ok: true };
  }

  @Get('status')
  @RequireSignIn()
  status() {
    return { ok: true };
  }

  @Get('audit')
  @RequireRecentAuth(900, { openapi: false })
  audit() {
    return [];
  }
}

type Responses = Record<string, ResponseObject>;

const STALE_300 =
  'Bearer error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="300"';

/** Checks a real response body against the schema the document gives for it. */
function expectBodyToMatch(body: Record<string, unknown>, schema: SchemaObject): void {
  const properties = schema.properties as Record<string, SchemaObject>;
  expect(Object.keys(body).filter((field) => !(field in properties))).toEqual([]);
  for (const field of schema.required ?? []) expect(body).toHaveProperty(field);
  for (const [field, value] of Object.entries(body)) {
    const property = properties[field];
    if (property.type === 'integer') expect(Number.isInteger(value)).toBe(true);
    if (property.type === 'string') expect(typeof value).toBe('string');
    if (property.type === 'array') {
      expect(Array.isArray(value)).toBe(true);
      for (const item of value as unknown[]) expect(typeof item).toBe('string');
    }
    if (property.enum) expect(property.enum).toContain(value);
    if (property.format === 'uri') expect(() => new URL(value as string)).not.toThrow();
  }
}

describe('OpenAPI documentation of guarded routes (@nestjs/swagger installed)', () => {
  let scenario: ScenarioApp;
  let document: OpenAPIObject;

  beforeAll(async () => {
    scenario = await startScenarioApp([DocumentedController, AdminController], {
      // The grants of @RequireRecentAuth(0) cannot be read: that route answers 503.
      reauth: () => ({
        store: new FaultyStore({ methods: ['take'], prefixes: ['reauth:grant:'] }),
      }),
    });
    document = SwaggerModule.createDocument(scenario.app, new DocumentBuilder().build());
  });
  afterAll(() => scenario.close());

  const operation = (path: string, method: 'get' | 'post' | 'put' | 'delete') =>
    document.paths[path][method] as OperationObject;
  const responses = (path: string, method: 'get' | 'post' | 'put' | 'delete') =>
    operation(path, method).responses as Responses;
  const schema = (name: string) => document.components!.schemas![name] as SchemaObject;
  const refOf = (response: ResponseObject) =>
    (response.content!['application/json'].schema as ReferenceObject).$ref;
  const header = (response: ResponseObject, name: string) =>
    response.headers![name] as HeaderObject;
  const exampleOf = (response: ResponseObject, name: string) =>
    (header(response, name).schema as SchemaObject).example as unknown;

  describe('the schemas', () => {
    it('describe the JSON 401: required and optional fields, the reasons', () => {
      const required = schema('ReauthRequiredResponse');
      expect(required.type).toBe('object');
      expect([...required.required!].sort()).toEqual(
        ['error', 'message', 'reason', 'reauthUrl', 'statusCode'].sort(),
      );
      const properties = required.properties as Record<string, SchemaObject>;
      expect(Object.keys(properties).sort()).toEqual(
        [
          'acrValues',
          'authTime',
          'error',
          'maxAge',
          'message',
          'reason',
          'reauthUrl',
          'statusCode',
          'stepUp',
          'actionSummary',
        ].sort(),
      );
      expect(properties.stepUp).toMatchObject({ type: 'object' });
      expect(properties.statusCode).toMatchObject({ type: 'integer', enum: [401] });
      expect(properties.error).toMatchObject({ type: 'string', enum: ['reauth_required'] });
      expect(properties.reason).toMatchObject({
        type: 'string',
        enum: [
          'stale',
          'missing_auth_time',
          'unauthenticated',
          'invalid_token',
          'insufficient_assurance',
        ],
      });
      expect(properties.message.type).toBe('string');
      expect(properties.maxAge).toMatchObject({ type: 'integer', minimum: 0 });
      expect(properties.authTime.type).toBe('integer');
      expect(properties.acrValues).toMatchObject({ type: 'array', items: { type: 'string' } });
      expect(properties.reauthUrl).toMatchObject({ type: 'string', format: 'uri' });
    });

    it('describe the 403 and the 503', () => {
      const forbidden = schema('ReauthForbiddenResponse');
      expect([...forbidden.required!].sort()).toEqual(['error', 'message', 'reason', 'statusCode']);
      expect(forbidden.properties).toEqual({
        statusCode: expect.objectContaining({ type: 'integer', enum: [403] }),
        error: expect.objectContaining({ type: 'string', enum: ['reauth_forbidden'] }),
        reason: expect.objectContaining({
          type: 'string',
          enum: ['cross_site_request', 'impersonation_not_allowed'],
        }),
        message: expect.objectContaining({ type: 'string' }),
      });
      const unavailable = schema('ReauthUnavailableResponse');
      expect([...unavailable.required!].sort()).toEqual(['error', 'message', 'statusCode']);
      expect(unavailable.properties).toEqual({
        statusCode: expect.objectContaining({ type: 'integer', enum: [503] }),
        error: expect.objectContaining({ type: 'string', enum: ['reauth_unavailable'] }),
        message: expect.objectContaining({ type: 'string' }),
      });
    });
  });

  describe('a @RequireRecentAuth route', () => {
    it('documents the 401 with its schema, max_age and WWW-Authenticate, and keeps its 201', () => {
      const email = responses('/docs/email', 'post');
      expect(Object.keys(email).sort()).toEqual(['201', '401', '403', '503']);
      expect(email['201']).toEqual({ description: '' });
      const unauthorized = email['401'];
      expect(refOf(unauthorized)).toBe('#/components/schemas/ReauthRequiredResponse');
      expect(unauthorized.description).toContain('Requires a sign-in within 300 s (max_age=300).');
      expect(unauthorized.description).toContain(
        '`stale`, `missing_auth_time`, `unauthenticated`, `invalid_token`.',
      );
      expect(header(unauthorized, 'WWW-Authenticate')).toMatchObject({
        required: true,
        schema: { type: 'string', example: STALE_300 },
      });
    });

    it('documents the 403 with both reasons on an unsafe method, and the 503 with Retry-After', () => {
      const email = responses('/docs/email', 'post');
      expect(refOf(email['403'])).toBe('#/components/schemas/ReauthForbiddenResponse');
      expect(email['403'].description).toContain('`cross_site_request`');
      expect(email['403'].description).toContain('`impersonation_not_allowed`');
      expect(refOf(email['503'])).toBe('#/components/schemas/ReauthUnavailableResponse');
      expect(header(email['503'], 'Retry-After')).toMatchObject({
        required: true,
        schema: { type: 'integer', example: 5 },
      });
    });

    it('is documented whatever the order of its decorators', () => {
      const password = responses('/docs/password', 'put');
      expect(Object.keys(password).sort()).toEqual(['200', '401', '403', '503']);
      expect(password['401'].description).toContain('within 300 s');
      expect(password['403'].description).toContain('`cross_site_request`');
    });

    it('mentions the acr values, in the description and the challenge', () => {
      const keys = responses('/docs/keys', 'get');
      expect(keys['401'].description).toContain(
        'Requires a sign-in within 600 s (max_age=600), at one of the assurance levels `urn:example:loa:2`, `urn:example:loa:3` (acr_values="urn:example:loa:2 urn:example:loa:3").',
      );
      expect(keys['401'].description).toContain('`insufficient_assurance`');
      expect(exampleOf(keys['401'], 'WWW-Authenticate')).toBe(
        'Bearer error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="600", acr_values="urn:example:loa:2 urn:example:loa:3"',
      );
      // A GET is never refused as cross-site: only impersonation is left.
      expect(keys['403'].description).not.toContain('cross_site_request');
      expect(keys['403'].description).toContain('`impersonation_not_allowed`');
    });

    it('keeps the status of @HttpCode, and says what max_age 0 means', () => {
      const remove = responses('/docs/account', 'delete');
      expect(Object.keys(remove).sort()).toEqual(['204', '401', '403', '503']);
      expect(remove['401'].description).toContain(
        'Requires a sign-in for this very request (max_age=0)',
      );
    });

    it('has no 403 where the route allows what it refuses', () => {
      expect(Object.keys(responses('/docs/notes', 'post')).sort()).toEqual(['201', '401', '503']);
    });

    it('keeps the responses the app declared, and declares no success of its own then', () => {
      const profile = responses('/docs/profile', 'get');
      expect(Object.keys(profile).sort()).toEqual(['200', '401', '503']);
      expect(profile['200'].description).toBe('The profile.');
      expect(refOf(profile['200'])).toBe('#/components/schemas/Profile');
    });

    it('is left alone with { openapi: false }', () => {
      expect(responses('/docs/quiet', 'get')).toEqual({ '200': { description: '' } });
    });
  });

  it('documents a @RequireSignIn route with the reasons and the challenge it can give', () => {
    const account = responses('/docs/account', 'get');
    expect(Object.keys(account).sort()).toEqual(['200', '401', '503']);
    expect(account['401'].description).toContain('Requires a signed-in user.');
    expect(account['401'].description).toContain('`reason`: `unauthenticated`, `invalid_token`.');
    expect(account['401'].description).not.toContain('max_age');
    expect(exampleOf(account['401'], 'WWW-Authenticate')).toBe('Bearer');
  });

  it('adds nothing to an unguarded route', () => {
    expect(responses('/docs/public', 'get')).toEqual({ '200': { description: '' } });
  });

  it('applies a controller decorator to each handler, and a handler’s own one wins', () => {
    const list = responses('/admin/users', 'get');
    expect(Object.keys(list).sort()).toEqual(['200', '401', '403', '503']);
    expect(list['401'].description).toContain('Requires a sign-in within 900 s (max_age=900).');
    expect(list['403'].description).not.toContain('cross_site_request');
    const add = responses('/admin/users', 'post');
    expect(Object.keys(add).sort()).toEqual(['201', '401', '403', '503']);
    expect(add['403'].description).toContain('`cross_site_request`');
    const status = responses('/admin/status', 'get');
    expect(Object.keys(status).sort()).toEqual(['200', '401', '503']);
    expect(status['401'].description).toContain('Requires a signed-in user.');
    expect(responses('/admin/audit', 'get')).toEqual({ '200': { description: '' } });
  });

  describe('matches what the app really answers', () => {
    const now = () => scenario.emulator.now();
    const token = (authTime: number, claims?: Record<string, unknown>) =>
      scenario.emulator.mintAccessToken({ email: 'alice@example.com', authTime, claims });
    const call = (path: string, method: string, bearer?: string) =>
      fetch(`${scenario.url}${path}`, {
        method,
        redirect: 'manual',
        headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
      });

    it('the JSON 401s and their challenges', async () => {
      const stale = await call('/docs/keys', 'GET', await token(now() - 601));
      expect(stale.status).toBe(401);
      const documented = responses('/docs/keys', 'get')['401'];
      expect(stale.headers.get('www-authenticate')).toBe(exampleOf(documented, 'WWW-Authenticate'));
      const staleBody = (await stale.json()) as Record<string, unknown>;
      expect(staleBody).toMatchObject({ reason: 'stale', maxAge: 600, acrValues: ACR });
      expect(staleBody.authTime).toEqual(expect.any(Number));

      const unassured = await call('/docs/keys', 'GET', await token(now()));
      const unassuredBody = (await unassured.json()) as Record<string, unknown>;
      expect(unassuredBody.reason).toBe('insufficient_assurance');

      const anonymous = await call('/docs/account', 'GET');
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe(
        exampleOf(responses('/docs/account', 'get')['401'], 'WWW-Authenticate'),
      );
      const anonymousBody = (await anonymous.json()) as Record<string, unknown>;
      expect(anonymousBody.reason).toBe('unauthenticated');
      expect(anonymousBody).not.toHaveProperty('maxAge');

      const invalid = await call('/docs/account', 'GET', 'not.a.token');
      const invalidBody = (await invalid.json()) as Record<string, unknown>;
      expect(invalidBody.reason).toBe('invalid_token');

      for (const body of [staleBody, unassuredBody, anonymousBody, invalidBody]) {
        expectBodyToMatch(body, schema('ReauthRequiredResponse'));
      }
    });

    it('the 403s', async () => {
      const impersonated = await call(
        '/docs/email',
        'POST',
        await token(now(), { act: { sub: 'user_support_agent' } }),
      );
      expect(impersonated.status).toBe(403);
      const impersonatedBody = (await impersonated.json()) as Record<string, unknown>;
      expect(impersonatedBody.reason).toBe('impersonation_not_allowed');

      const { browser } = await signInToApp(scenario);
      const crossSite = await browser.request(`${scenario.url}/docs/email`, {
        method: 'POST',
        headers: { accept: 'application/json', origin: 'https://elsewhere.example' },
      });
      expect(crossSite.status).toBe(403);
      const crossSiteBody = JSON.parse(crossSite.text) as Record<string, unknown>;
      expect(crossSiteBody.reason).toBe('cross_site_request');

      for (const body of [impersonatedBody, crossSiteBody]) {
        expectBodyToMatch(body, schema('ReauthForbiddenResponse'));
      }
    });

    it('the 503 and its Retry-After', async () => {
      const res = await call('/docs/account', 'DELETE', await token(now() - 10));
      expect(res.status).toBe(503);
      const documented = responses('/docs/account', 'delete')['503'];
      expect(Number(res.headers.get('retry-after'))).toBe(exampleOf(documented, 'Retry-After'));
      expectBodyToMatch(
        (await res.json()) as Record<string, unknown>,
        schema('ReauthUnavailableResponse'),
      );
    });
  });
});
