import { lstat, mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  emulatorNow,
  httpGet,
  installExample,
  mintAccessToken,
  withRunningExample,
  type RunningExample,
} from './support/example-app';
import { nodeBinary, type NodeBinary } from './support/node-binaries';
import {
  buildAndPack,
  PACKAGES,
  REPO,
  repoTool,
  tarballFiles,
  type Tarballs,
} from './support/packages';
import { childEnv, killAll, progress, runOk, tail } from './support/processes';

// DESIGN.md: the adopter examples run on Node 20, 22 and 24.
const NODE_MAJORS = [20, 22, 24];

// `main`: the compiled app. `nodeTestFiles`: tests to run on every Node, not only under `npm test`.
const EXAMPLES = [
  { name: 'nest11-cjs', main: 'dist/main.js', nodeTestFiles: [] },
  // Nest 12 does not run under Jest on Node 20: this one's tests are node:test, run on each Node.
  { name: 'nest12-esm', main: 'dist/src/main.js', nodeTestFiles: ['dist/test/app.test.js'] },
];

const CHALLENGE =
  'Bearer error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="300"';
const NAVIGATION = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'sec-fetch-mode': 'navigate',
};

async function checkPublicRoutes({ appUrl }: RunningExample): Promise<void> {
  expect((await fetch(`${appUrl}/`)).status).toBe(200);
  const helper = await fetch(`${appUrl}/assets/step-up-fetch.js`);
  expect(helper.status).toBe(200);
  expect(helper.headers.get('content-type')).toMatch(/^text\/javascript/);
  expect(await helper.text()).toMatch(/\bexport\s*\{/);
}

async function checkFreshToken({ appUrl, emulatorUrl }: RunningExample): Promise<void> {
  const now = await emulatorNow(emulatorUrl);
  const res = await fetch(`${appUrl}/api/profile`, {
    headers: { authorization: `Bearer ${await mintAccessToken(emulatorUrl, now)}` },
  });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ userId: expect.stringMatching(/^user_/), authTime: now });
}

async function checkStaleToken(running: RunningExample): Promise<void> {
  const { appUrl, emulatorUrl, redirectUri, clientId } = running;
  const authTime = (await emulatorNow(emulatorUrl)) - 600;
  const token = await mintAccessToken(emulatorUrl, authTime);
  const res = await fetch(`${appUrl}/api/profile`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const text = await res.text();
  // Not toContain: a failed expectation would print the token.
  expect(text.includes(token)).toBe(false);
  expect(res.status).toBe(401);
  expect(res.headers.get('www-authenticate')).toBe(CHALLENGE);
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(body).toMatchObject({
    statusCode: 401,
    error: 'reauth_required',
    reason: 'stale',
    maxAge: 300,
    authTime,
  });
  const reauthUrl = new URL(body.reauthUrl as string);
  expect(`${reauthUrl.origin}${reauthUrl.pathname}`).toBe(
    `${emulatorUrl}/user_management/authorize`,
  );
  expect(Object.fromEntries(reauthUrl.searchParams)).toMatchObject({
    max_age: '300',
    client_id: clientId,
    redirect_uri: redirectUri,
  });
}

async function checkBrowserNavigation({ appUrl, emulatorUrl }: RunningExample): Promise<void> {
  const res = await httpGet(`${appUrl}/api/profile`, NAVIGATION);
  expect(res.status).toBe(302);
  const location = new URL(res.headers.location ?? '');
  expect(`${location.origin}${location.pathname}`).toBe(`${emulatorUrl}/user_management/authorize`);
  expect(location.searchParams.get('max_age')).toBe('300');
  // The emulator takes the request (one it refuses goes back to the app with an error) to its
  // sign-in page.
  const authorize = await httpGet(location.href, NAVIGATION);
  expect(authorize.status).toBe(302);
  const signIn = new URL(authorize.headers.location ?? '', emulatorUrl);
  expect(signIn.pathname).toBe('/user_management/authorize/sign-in');
  const page = await httpGet(signIn.href, NAVIGATION);
  expect(page.status).toBe(200);
  expect(page.headers['content-type']).toMatch(/^text\/html/);
}

describe('adopters: the packed packages, installed in NestJS apps outside the repository', () => {
  let work: string;
  let tarballs: Tarballs;
  const nodes = new Map<number, NodeBinary>();

  beforeAll(async () => {
    // Outside the repository, so that no node_modules of ours is on the resolution path.
    work = await mkdtemp(join(tmpdir(), 'adopters-'));
    expect(relative(REPO, work).startsWith('..')).toBe(true);
    progress(`building and packing the packages into ${work}/packs`);
    tarballs = await buildAndPack(join(work, 'packs'));
    for (const major of NODE_MAJORS) {
      const node = await nodeBinary(major, join(REPO, 'node_modules', '.cache', 'adopter-node'));
      progress(`Node ${major}: ${node.version} (${node.path})`);
      nodes.set(major, node);
    }
  });

  afterAll(async () => {
    killAll();
    if (work && !process.env.KEEP_ADOPTER_DIRS) await rm(work, { recursive: true, force: true });
  });

  describe.each(PACKAGES)('the package $name', ({ name, attwProfile }) => {
    it('ships its README, LICENSE and CHANGELOG, and no sources or tests', async () => {
      const files = await tarballFiles(tarballs[name]);
      expect(files).toEqual(
        expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md']),
      );
      expect(files.filter((file) => /(^src\/|\.spec\.|\.tsbuildinfo$)/.test(file))).toEqual([]);
    });

    it('passes publint, suggestions included', async () => {
      const { code, output } = await repoTool('publint', ['run', tarballs[name], '--strict']);
      // A clean package gets "All good!"; anything else, even a suggestion, is a finding.
      if (code !== 0 || !output.includes('All good!')) {
        throw new Error(`publint reports on ${name}:\n${tail(output)}`);
      }
    });

    it(`passes attw (--profile ${attwProfile})`, async () => {
      const { code, output } = await repoTool('attw', [
        tarballs[name],
        '--profile',
        attwProfile,
        '--format',
        'ascii',
        '--no-color',
        '--no-emoji',
      ]);
      if (code !== 0) throw new Error(`attw found problems in ${name}:\n${tail(output)}`);
    });
  });

  describe.each(EXAMPLES)('examples/$name', ({ name, main, nodeTestFiles }) => {
    let dir: string;

    beforeAll(async () => {
      if (!tarballs) throw new Error('the packages were not packed (see the first failure)');
      dir = await installExample(name, work, tarballs);
    });

    it('has our packages installed from the tarballs, as real directories', async () => {
      for (const { name: dependency } of PACKAGES) {
        const installed = join(dir, 'node_modules', dependency);
        const stats = await lstat(installed);
        expect({
          dependency,
          link: stats.isSymbolicLink(),
          directory: stats.isDirectory(),
        }).toEqual({ dependency, link: false, directory: true });
        expect(relative(REPO, await realpath(installed)).startsWith('..')).toBe(true);
      }
    });

    it('compiles with its own tsconfig', async () => {
      progress(`compiling ${name}`);
      await runOk('npx', ['tsc', '-p', '.'], { cwd: dir, env: childEnv() });
    });

    it.each(NODE_MAJORS)('serves the guarded routes on Node %i', async (major) => {
      const node = nodes.get(major)!;
      progress(`${name} on Node ${node.version}: starting the emulator and the app`);
      await withRunningExample(dir, main, node, async (running) => {
        await checkPublicRoutes(running);
        await checkFreshToken(running);
        await checkStaleToken(running);
        await checkBrowserNavigation(running);
      });
    });

    it('passes its own tests (npm test)', async () => {
      progress(`${name}: npm test`);
      await runOk('npm', ['test'], { cwd: dir, env: childEnv() });
    });

    if (nodeTestFiles.length > 0) {
      // `npm test` ran them on the running Node (after compiling them); now on the others.
      const otherMajors = NODE_MAJORS.filter(
        (major) => `${major}` !== process.versions.node.split('.')[0],
      );
      it.each(otherMajors)('passes its node:test suite on Node %i', async (major) => {
        const node = nodes.get(major)!;
        progress(`${name}: node --test on ${node.version}`);
        await runOk(node.path, ['--test', '--test-reporter=spec', ...nodeTestFiles], {
          cwd: dir,
          env: childEnv(),
        });
      });
    }
  });
});
