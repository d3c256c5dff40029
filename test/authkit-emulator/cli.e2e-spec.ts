import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Runs the CLI as `npm run emulator` does, without npm in between. */
function runCli(args: string[], env: Record<string, string> = {}): ChildProcessWithoutNullStreams {
  return spawn(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      'libs/authkit-emulator/src/cli.ts',
      ...args,
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        AUTHKIT_EMULATOR_PORT: '',
        AUTHKIT_EMULATOR_WEBHOOK_SECRET: '',
        ...env,
      },
    },
  );
}

function output(child: ChildProcessWithoutNullStreams, until: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no match for ${until} in:\n${text}`)), 20_000);
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if (until.test(text)) {
        clearTimeout(timer);
        resolve(text);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
  });
}

const exited = (child: ChildProcessWithoutNullStreams) =>
  new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

describe('npm run emulator', () => {
  it('starts with a users file and test controls, prints its URL and users, and stops on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emulator-cli-'));
    const usersFile = join(dir, 'users.json');
    writeFileSync(usersFile, JSON.stringify([{ email: 'dana@example.com', password: 'dana-pw' }]));
    const child = runCli(['--port', '0', '--users', usersFile, '--test-controls', '--quiet']);
    const text = await output(child, /Users:\n.*\n/);
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text)![1];
    expect(text).toContain('dana@example.com / dana-pw');
    expect(text).toContain('test controls on');

    const minted = await fetch(`${url}/__emulator/access-tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'dana@example.com', authTime: 1 }),
    });
    expect(minted.status).toBe(200);
    const alice = await fetch(`${url}/__emulator/access-tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'alice@example.com', authTime: 1 }),
    });
    expect(alice.status).toBe(404);

    const exit = exited(child);
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  });

  it('sends events to --webhook URLs, signed with the secret from the environment', async () => {
    const endpoint = 'http://localhost:3000/auth/workos/events';
    const child = runCli(['--port', '0', '--test-controls', '--quiet', '--webhook', endpoint], {
      AUTHKIT_EMULATOR_WEBHOOK_SECRET: 'whsec_cli_0123456789abcdef',
    });
    const text = await output(child, /Users:\n.*\n/);
    expect(text).toContain(`webhooks      ${endpoint}`);
    expect(text).not.toContain('whsec_cli');
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text)![1];
    const listed = (await (await fetch(`${url}/__emulator/webhooks`)).json()) as {
      endpoints: { url: string }[];
    };
    expect(listed.endpoints.map((e) => e.url)).toEqual([endpoint]);
    const exit = exited(child);
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  });

  it.each([
    [['--port', 'abc'], /invalid port abc/],
    [['--port', '70000'], /invalid port 70000/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['--users', '/nonexistent/users.json'], /cannot read users file/],
    [['--webhook', 'http://localhost:3000/e'], /--webhook needs the endpoint secret in AUTHKIT_/],
  ])('exits with status 2 and says why for %p', async (args, message) => {
    const child = runCli(args);
    const [text, code] = await Promise.all([output(child, /Usage:/), exited(child)]);
    expect(text).toMatch(message);
    expect(code).toBe(2);
  });
});
