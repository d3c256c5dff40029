import { Controller, Get, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  ReauthModule,
  ReauthRequiredException,
  RequireSignIn,
  type ReauthReason,
} from 'nest-workos-reauth';
import { startReauthTestKit, type ReauthTestKit } from 'nest-workos-reauth/testing';
import { CALLBACK_FAILURES } from '../../libs/reauth/src/flow/callback-failures';
import { section, tables } from './markdown';
import { packageReadmes, type Snippet } from './package-readmes';
import { compileSnippets } from './snippet-compiler';

// The reference part of nest-workos-reauth's README, held to the code: the tables and the types
// it prints are read from the Markdown and compared with what the library does and declares.
const readme = packageReadmes().find(({ name }) => name === 'nest-workos-reauth')!;
const unquote = (cell: string) => cell.replace(/^`|`$/g, '');

function tableUnder(heading: string, header: string[]): string[][] {
  const table = tables(section(readme.markdown, heading).text).find(
    (candidate) => candidate.header.join('|') === header.join('|'),
  );
  if (!table) throw new Error(`No table ${header.join(' | ')} under "${heading}"`);
  return table.rows;
}

/** A line of the README (1-based) and the text of a pattern's first group there. */
function printed(heading: string, pattern: RegExp): { text: string; line: number } {
  const part = section(readme.markdown, heading);
  const match = pattern.exec(part.text);
  if (!match) throw new Error(`"${heading}" does not say ${String(pattern)}`);
  const line = part.line + part.text.slice(0, match.index).split('\n').length - 1;
  return { text: match[1], line };
}

describe('the README’s reference, held to the code', () => {
  it('lists every code of a failed callback, with its status', () => {
    const rows = tableUnder('Errors', ['status', 'code', 'meaning']);
    const documented = Object.fromEntries(
      rows.map(([status, code]) => [unquote(code), Number(status)]),
    );
    const actual = Object.fromEntries(
      Object.entries(CALLBACK_FAILURES).map(([code, failure]) => [code, failure.status]),
    );
    expect(documented).toEqual(actual);
  });

  it('gives each reason of the JSON 401 the message the library sends', () => {
    const rows = tableUnder('The JSON 401', [
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

  // Types cannot be listed at run time: the compiler compares the README's words with them.
  it('prints the types the library declares', () => {
    const reasonList = tableUnder('The JSON 401', [
      '`reason`',
      'when',
      '`message`',
      '`WWW-Authenticate`',
    ])
      .map(([reason]) => `${unquote(reason)}: true`)
      .join(', ');
    const dependency = printed(
      '`ReauthUnavailableException`',
      /`dependency` is ([\s\S]*?)\(`ReauthDependency`\)/,
    );
    const dependencies = [...dependency.text.matchAll(/`'(\w+)'`/g)].map(
      ([, name]) => `${name}: true`,
    );
    const authentication = printed(
      '`@AuthClaims(claim?)` and `@CurrentAuthentication()`',
      /`Authentication` is\s+`(\{[^`]+\})`/,
    );
    const checks: { line: number; code: string }[] = [
      {
        line: authentication.line,
        code: `const authentication: Equal<Authentication, ${authentication.text}> = true;`,
      },
      {
        line: dependency.line,
        code: `const dependencies: Record<ReauthDependency, true> = { ${dependencies.join(', ')} };`,
      },
      {
        line: printed('The JSON 401', /(\| `stale`)/).line,
        code: `const reasons: Record<ReauthReason, true> = { ${reasonList} };`,
      },
    ];
    const prelude = [
      "import type { User } from '@workos-inc/node';",
      'import type { AccessTokenClaims, Authentication, ReauthDependency, ReauthReason } from',
      "  'nest-workos-reauth';",
      'type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2',
      '  ? true',
      '  : false;',
    ].join('\n');
    const snippets: Snippet[] = checks.map(({ line, code }) => ({
      lang: 'ts',
      code,
      line,
      heading: '',
      markers: { fragment: false, run: false, prelude, preludeLine: line },
      readme: readme.path,
      label: `${readme.path}:${line}`,
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

describe('the README’s routes, on a running app', () => {
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
      tableUnder('Extras (`ReauthModuleExtras`)', ['extra', 'default', 'meaning']).map(
        ([extra, fallback]) => [unquote(extra), unquote(fallback)],
      ),
    );
    const rows = tableUnder('Routes', ['route', 'what it does']);
    expect(rows.length).toBe(3);
    for (const [route] of rows) {
      const [, method, name] = /^`(GET|POST) <(\w+)>/.exec(route)!;
      const path = defaults[`routes.${name}`];
      const other = method === 'GET' ? 'POST' : 'GET';
      const answer = await fetch(`${url}${path}`, { method, redirect: 'manual' });
      const wrongMethod = await fetch(`${url}${path}`, { method: other, redirect: 'manual' });
      expect([route, answer.status !== 404, wrongMethod.status]).toEqual([route, true, 404]);
    }
  });
});
