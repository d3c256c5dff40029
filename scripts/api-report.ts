// Locks the packages' public API. For each entry point, api-extractor compares the built
// declarations with the report committed in the package's etc/ folder: `npm run api:check`
// fails on any difference; `npm run api:update` rewrites the reports after a deliberate change
// (which then shows in review, with its CHANGELOG entry).
import {
  Extractor,
  ExtractorConfig,
  ExtractorLogLevel,
  ExtractorMessageCategory,
} from '@microsoft/api-extractor';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..');
const update = process.argv.includes('--update');

const ENTRIES = [
  { dir: 'libs/reauth', entry: 'dist/index.d.ts', report: 'nest-workos-reauth' },
  { dir: 'libs/reauth', entry: 'dist/redis.d.ts', report: 'nest-workos-reauth-redis' },
  { dir: 'libs/reauth', entry: 'dist/testing/index.d.ts', report: 'nest-workos-reauth-testing' },
  { dir: 'libs/reauth-client', entry: 'dist/index.d.ts', report: 'step-up-fetch' },
  { dir: 'libs/authkit-emulator', entry: 'dist/index.d.ts', report: 'authkit-emulator' },
];

const temp = mkdtempSync(join(tmpdir(), 'api-report-'));
let failed = false;
try {
  for (const { dir, entry, report } of ENTRIES) {
    const projectFolder = join(root, dir);
    const entryFile = join(projectFolder, entry);
    if (!existsSync(entryFile)) {
      process.stderr.write(`${report}: ${entry} is missing; run npm run build:packages first\n`);
      failed = true;
      continue;
    }
    if (update) mkdirSync(join(projectFolder, 'etc'), { recursive: true });
    const config = ExtractorConfig.prepare({
      configObjectFullPath: join(projectFolder, 'api-extractor.json'),
      packageJsonFullPath: join(projectFolder, 'package.json'),
      configObject: {
        projectFolder,
        mainEntryPointFilePath: entryFile,
        bundledPackages: [],
        compiler: {
          overrideTsconfig: {
            compilerOptions: {
              strict: true,
              target: 'ES2022',
              module: 'commonjs',
              moduleResolution: 'node10',
              lib: ['ES2023', 'DOM', 'DOM.Iterable'],
              types: ['node'],
              typeRoots: [join(root, 'node_modules/@types')],
              experimentalDecorators: true,
              esModuleInterop: true,
              skipLibCheck: true,
            },
            files: [entryFile],
          },
        },
        apiReport: {
          enabled: true,
          reportFileName: report,
          reportFolder: join(projectFolder, 'etc'),
          reportTempFolder: temp,
        },
        docModel: { enabled: false },
        dtsRollup: { enabled: false },
        tsdocMetadata: { enabled: false },
        messages: {
          compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Warning } },
          extractorMessageReporting: {
            default: { logLevel: ExtractorLogLevel.Warning, addToApiReportFile: true },
            'ae-missing-release-tag': {
              logLevel: ExtractorLogLevel.None,
              addToApiReportFile: false,
            },
          },
          tsdocMessageReporting: {
            default: { logLevel: ExtractorLogLevel.None, addToApiReportFile: false },
          },
        },
      },
    });
    const result = Extractor.invoke(config, {
      localBuild: update,
      showVerboseMessages: false,
      messageCallback: (message) => {
        // Warnings that belong in the report are written there and reviewed with it.
        if (
          message.category === ExtractorMessageCategory.Extractor &&
          message.logLevel === ExtractorLogLevel.Warning
        ) {
          message.handled = true;
        }
      },
    });
    if (!result.succeeded || (!update && result.apiReportChanged)) {
      process.stderr.write(
        `${report}: the public API differs from ${dir}/etc/${report}.api.md` +
          ' (a deliberate change: npm run api:update, and say so in the CHANGELOG)\n',
      );
      failed = true;
    } else {
      process.stdout.write(`${report}: API ${update ? 'report written' : 'unchanged'}\n`);
    }
  }
} finally {
  rmSync(temp, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
