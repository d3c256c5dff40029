import { Controller, Get, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  ReauthModule,
  ReauthRequiredException,
  RequireSignIn,
  StepUpRefusal,
  type ReauthReason,
  type StepUpErrorCode,
} from 'nest-workos-reauth';
import { startReauthTestKit, type ReauthTestKit } from 'nest-workos-reauth/testing';
import { CALLBACK_FAILURES } from '../../libs/reauth/src/flow/callback-failures';
import { section, tables } from './markdown';
import { docPage, type MarkdownPage, type Snippet } from './package-readmes';
import { compileSnippets } from './snippet-compiler';

// The reference part of nest-workos-reauth's guide (the pages of docs/ its README links to), held
// to the code: the tables and the types it prints are read from the Markdown and compared with
// what the library does and declares.
const errorsDoc = docPage('errors.md');
const api = docPage('api.md');
const configuration = docPage('configuration.md');
const routes = docPage('routes.md');
const inPage = docPage('in-page-confirmation.md');
const unquote = (cell: string) => cell.replace(/^`|`$/g, '');

function tableUnder(page: MarkdownPage, heading: string, header: string[]): string[][] {
  const table = tables(section(page.markdown, heading).text).find(
    (candidate) => candidate.header.join('|') === header.join('|'),
  );
  if (!table) throw new Error(`No table ${header.join(' | ')} under "${heading}" in ${page.path}`);
  return table.rows;
}

/** A line of a page (1-based) and the text of a pattern's first group there. */
function printed(page: MarkdownPage, heading: string, pattern: RegExp) {
  const part = section(page.markdown, heading);
  const match = pattern.exec(part.text);
  if (!match) throw new Error(`"${heading}" in ${page.path} does not say ${String(pattern)}`);
  const line = part.line + part.text.slice(0, match.index).split('\n').length - 1;
  return { text: match[1], line, page: page.path };
}

describe('the guide’s reference, held to the code', () => {
  it('lists every code of a failed callback, with its status', () => {
    const rows = tableUnder(errorsDoc, 'Callback failures', ['status', 'code', 'meaning']);
    const documented = Object.fromEntries(
      rows.map(([status, code]) => [unquote(code), Number(status)]),
    );
    const actual = Object.fromEntries(
      Object.entries(CALLBACK_FAILURES).map(([code, failure]) => [code, failure.status]),
    );
    expect(documented).toEqual(actual);
  });

  it('lists every error of a refused confirmation in the page, with its status', () => {
    const rows = tableUnder(inPage, 'Error codes', ['status', '`error`', 'meaning']);
    for (const [status, code] of rows) {
      const refusal = new StepUpRefusal(unquote(code) as StepUpErrorCode, '');
      expect([unquote(code), refusal.getStatus()]).toEqual([unquote(code), Number(status)]);
    }
  });

  it('gives each reason of the JSON 401 the message the library sends', () => {
    const rows = tableUnder(errorsDoc, 'The JSON 401', [
      '`reason`',
      'when',
      '`message`',
      '`WWW-Authenticate`',
    ]);
    for (const [reason, , message] of rows) {
      const exception = new ReauthRequiredException({ reason: unquote(reason) as ReauthReason });
      expect([unquote(reason), (exception.getResponse() as { message: string }).message]).toEqual([
        unquote(reason),
        unquote(message),
      ]);
    }
  });

  // Types cannot be listed at run time: the compiler compares the guide's words with them.
  it('prints the types the library declares', () => {
    const reasonList = tableUnder(errorsDoc, 'The JSON 401', [
      '`reason`',
      'when',
      '`message`',
      '`WWW-Authenticate`',
    ])
      .map(([reason]) => `${unquote(reason)}: true`)
      .join(', ');
    const dependency = printed(
      errorsDoc,
      '`ReauthUnavailableException`',
      /`dependency` is ([\s\S]*?)\(`ReauthDependency`\)/,
    );
    const dependencies = [...dependency.text.matchAll(/`'(\w+)'`/g)].map(
      ([, name]) => `${name}: true`,
    );
    const authentication = printed(
      api,
      '`@AuthClaims(claim?)` and `@CurrentAuthentication()`',
      /`Authentication` is\s+`(\{[^`]+\})`/,
    );
    const reasonsAt = printed(errorsDoc, 'The JSON 401', /(\| `stale`)/);
    const stepUpCodes = tableUnder(inPage, 'Error codes', ['status', '`error`', 'meaning'])
      .map(([, code]) => `${unquote(code)}: true`)
      .join(', ');
    const stepUpCodesAt = printed(inPage, 'Error codes', /(\| 400 +\| `invalid_request`)/);
    const checks: { page: string; line: number; code: string }[] = [
      {
        page: authentication.page,
        line: authentication.line,
        code: `const authentication: Equal<Authentication, ${authentication.text}> = true;`,
      },
      {
        page: dependency.page,
        line: dependency.line,
        code: `const dependencies: Record<ReauthDependency, true> = { ${dependencies.join(', ')} };`,
      },
      {
        page: reasonsAt.page,
        line: reasonsAt.line,
        code: `const reasons: Record<ReauthReason, true> = { ${reasonList} };`,
      },
      {
        page: stepUpCodesAt.page,
        line: stepUpCodesAt.line,
        code: `const stepUpCodes: Record<StepUpErrorCode, true> = { ${stepUpCodes} };`,
      },
    ];
    const prelude = [
      "import type { User } from '@workos-inc/node';",
      'import type { AccessTokenClaims, Authentication, ReauthDependency, ReauthReason,',
      "  StepUpErrorCode } from 'nest-workos-reauth';",
      'type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2',
      '  ? true',
      '  : false;',
    ].join('\n');
    const snippets: Snippet[] = checks.map(({ page, line, code }) => ({
      lang: 'ts',
      code,
      line,
      heading: '',
      markers: { fragment: false, run: false, prelude, preludeLine: line },
      readme: page,
      label: `${page}:${line}`,
    }));
    const errors = [...compileSnippets(snippets).values()].flat();
    expect(errors).toEqual([]);
  }, 120_000);
});

@Controller()
class HomeController {
  @Get('account')
  @RequireSignIn()
  account() {
    return 'signed in';
  }
}

describe('the guide’s routes, on a running app', () => {
  let kit: ReauthTestKit;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    kit = await startReauthTestKit();
    const moduleRef = await Test.createTestingModule({
      imports: [ReauthModule.forRoot(kit.moduleOptions())],
      controllers: [HomeController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
    await kit?.close();
  });

  it('mounts each route of the table, with its method, at the default path of its extra', async () => {
    const defaults = Object.fromEntries(
      tableUnder(configuration, 'Extras (`ReauthModuleExtras`)', [
        'extra',
        'default',
        'meaning',
      ]).map(([extra, fallback]) => [unquote(extra), unquote(fallback)]),
    );
    const rows = tableUnder(routes, 'Routes', ['route', 'what it does']);
    expect(rows.length).toBe(4);
    const listed = new Set(
      rows.map(([route]) => /^`(GET|POST) <(\w+)>/.exec(route)!.slice(1).join(' ')),
    );
    for (const [route] of rows) {
      const [, method, name] = /^`(GET|POST) <(\w+)>/.exec(route)!;
      const path = defaults[`routes.${name}`];
      const other = method === 'GET' ? 'POST' : 'GET';
      const answer = await fetch(`${url}${path}`, { method, redirect: 'manual' });
      const wrongMethod = await fetch(`${url}${path}`, { method: other, redirect: 'manual' });
      // A method the table does not list for the route is not mounted.
      const otherListed = listed.has(`${other} ${name}`);
      expect([route, answer.status !== 404, wrongMethod.status !== 404]).toEqual([
        route,
        true,
        otherListed,
      ]);
    }
  });

  it('mounts each confirmation route of the table, at the default path of its extra', async () => {
    const defaults = Object.fromEntries(
      tableUnder(configuration, 'Extras (`ReauthModuleExtras`)', [
        'extra',
        'default',
        'meaning',
      ]).map(([extra, fallback]) => [unquote(extra), unquote(fallback)]),
    );
    const rows = tableUnder(routes, 'Confirmation inside the page', ['route', 'what it does']);
    expect(rows.length).toBe(9);
    for (const [route] of rows) {
      const [, method, name, rest] = /^`(GET|POST|PATCH|DELETE) <(\w+)>([\w/:]*)`$/.exec(route)!;
      const path = `${defaults[`routes.${name}`]}${rest.replace(':id', 'AAAA')}`;
      // Without a session every one of them answers the JSON 401; an unknown route, 404.
      const answer = await fetch(`${url}${path}`, { method, redirect: 'manual' });
      expect([route, answer.status]).toEqual([route, 401]);
    }
  });
});
