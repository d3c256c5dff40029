// Locks the packages' public API, and writes the API reference from it. For each entry point,
// api-extractor compares the built declarations with the report committed in the package's etc/
// folder, and writes its doc model; api-documenter turns the doc models into the Markdown of
// docs/reference/. `npm run api:check` fails on any difference in a report or in the reference,
// and on any forgotten export (a public signature naming a type the entry point does not export);
// `npm run api:update` rewrites the reports and the reference after a deliberate change (which
// then shows in review, with its CHANGELOG entry).
import {
  Extractor,
  ExtractorConfig,
  ExtractorLogLevel,
  ExtractorMessageCategory,
} from '@microsoft/api-extractor';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { stripVTControlCharacters } from 'node:util';

const root = resolve(__dirname, '..');
const update = process.argv.includes('--update');

/** `specifier`: what an app imports; `report`: the file names of the report and the doc model. */
const ENTRIES = [
  {
    dir: 'libs/reauth',
    entry: 'dist/index.d.ts',
    report: 'nest-workos-reauth',
    specifier: 'nest-workos-reauth',
  },
  {
    dir: 'libs/reauth',
    entry: 'dist/redis.d.ts',
    report: 'nest-workos-reauth-redis',
    specifier: 'nest-workos-reauth/redis',
  },
  {
    dir: 'libs/reauth',
    entry: 'dist/postgres.d.ts',
    report: 'nest-workos-reauth-postgres',
    specifier: 'nest-workos-reauth/postgres',
  },
  {
    dir: 'libs/reauth',
    entry: 'dist/testing/index.d.ts',
    report: 'nest-workos-reauth-testing',
    specifier: 'nest-workos-reauth/testing',
  },
  {
    dir: 'libs/reauth-client',
    entry: 'dist/index.d.ts',
    report: 'step-up-fetch',
    specifier: 'step-up-fetch',
  },
  {
    dir: 'libs/authkit-emulator',
    entry: 'dist/index.d.ts',
    report: 'authkit-emulator',
    specifier: 'authkit-emulator',
  },
];
type Entry = (typeof ENTRIES)[number];

/** The generated API reference, Markdown written by api-documenter from the doc models. */
const REFERENCE_DIR = 'docs/reference';

const FORGOTTEN_EXPORT =
  /^\s*\/\/ Warning: \(ae-forgotten-export\) The symbol "([^"]+)" needs to be exported/gm;

const temp = mkdtempSync(join(tmpdir(), 'api-report-'));
const models = join(temp, 'models');
const problems: string[] = [];
const fail = (message: string) => problems.push(message);
/** `ae-forgotten-export` notes: a public signature names a symbol its entry point does not export. */
const forgotten: string[] = [];

/** Runs api-extractor on one entry point: the report is compared (or written), the model written. */
function extract(entry: Entry): void {
  const { dir, report } = entry;
  const projectFolder = join(root, dir);
  const entryFile = join(projectFolder, entry.entry);
  if (!existsSync(entryFile)) {
    fail(`${report}: ${entry.entry} is missing; run npm run build:packages first`);
    return;
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
      docModel: { enabled: true, apiJsonFilePath: join(models, `${report}.api.json`) },
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
    fail(
      `${report}: the public API differs from ${dir}/etc/${report}.api.md` +
        ' (a deliberate change: npm run api:update, and say so in the CHANGELOG)',
    );
  } else {
    process.stdout.write(`${report}: API ${update ? 'report written' : 'unchanged'}\n`);
  }
  // The report just generated (api-extractor always writes it to the temp folder first).
  const generated = join(temp, `${report}.api.md`);
  if (existsSync(generated)) {
    for (const [, symbol] of readFileSync(generated, 'utf8').matchAll(FORGOTTEN_EXPORT)) {
      forgotten.push(
        `  ${entry.specifier}: ${symbol}  (${dir}/${entry.entry}; ${dir}/etc/${report}.api.md)`,
      );
    }
  }
}

interface ModelNode {
  name?: string;
  canonicalReference?: string;
  members?: ModelNode[];
  [key: string]: unknown;
}

/** The names an entry point exports, read from its doc model. */
function exportedNames(model: ModelNode): Set<string> {
  const entryPoint = model.members?.[0];
  return new Set((entryPoint?.members ?? []).map((member) => String(member.name)));
}

/**
 * api-documenter takes one entry point per package, and the package name names its pages: the
 * models of `nest-workos-reauth/redis`, `/postgres` and `/testing` become packages of their own,
 * named as their reports. Their references to their own exports follow the new name; a reference
 * to a symbol they do not export (api-extractor's `~` local) points at the main entry point when
 * that exports it, so the pages link there.
 */
function renameSubpathModels(): void {
  const read = (report: string) =>
    JSON.parse(readFileSync(join(models, `${report}.api.json`), 'utf8')) as ModelNode;
  for (const entry of ENTRIES) {
    const packageName = entry.specifier.split('/')[0];
    if (entry.specifier === packageName) continue;
    const main = ENTRIES.find((other) => other.specifier === packageName);
    const model = read(entry.report);
    const own = exportedNames(model);
    const mainExports = main ? exportedNames(read(main.report)) : new Set<string>();
    const prefix = `${packageName}!`;
    const renamed = (reference: string): string => {
      if (!reference.startsWith(prefix)) return reference;
      const rest = reference.slice(prefix.length);
      const local = rest.startsWith('~');
      const symbol = /^~?([^#.:~]*)/.exec(rest)![1];
      if (local && mainExports.has(symbol)) return `${prefix}${rest.slice(1)}`;
      if (!local && own.has(symbol)) return `${entry.report}!${rest}`;
      if (rest === '') return `${entry.report}!`;
      return reference;
    };
    // `{@link ReauthStore}` in a doc comment names the main entry point's export the same way.
    const linked = (comment: string): string =>
      comment.replace(/\{@link\s+([A-Za-z_$][\w$]*)/g, (tag, symbol: string) =>
        !own.has(symbol) && mainExports.has(symbol) ? `{@link ${packageName}#${symbol}` : tag,
      );
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) {
        node.forEach(visit);
      } else if (node !== null && typeof node === 'object') {
        const item = node as ModelNode;
        if (typeof item.canonicalReference === 'string') {
          item.canonicalReference = renamed(item.canonicalReference);
        }
        if (typeof item.docComment === 'string') item.docComment = linked(item.docComment);
        Object.values(item).forEach(visit);
      }
    };
    visit(model);
    model.name = entry.report;
    writeFileSync(join(models, `${entry.report}.api.json`), JSON.stringify(model, null, 2));
  }
}

/** Every file under `dir`, as paths relative to it, sorted. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((item) => item.isFile())
    .map((item) => relative(dir, join(item.parentPath, item.name)))
    .sort();
}

/** Generates the reference into a temporary folder, and resolves to its files' contents. */
function generateReference(): Map<string, string> | undefined {
  renameSubpathModels();
  const out = join(temp, 'reference');
  const documenter = join(
    dirname(require.resolve('@microsoft/api-documenter/package.json')),
    'bin/api-documenter',
  );
  const run = spawnSync(process.execPath, [documenter, 'markdown', '-i', models, '-o', out], {
    encoding: 'utf8',
  });
  if (run.status !== 0) {
    fail(`api-documenter failed:\n${run.stdout}${run.stderr}`);
    return undefined;
  }
  // A `{@link}` it cannot resolve leaves its text out of the page: say which, for the TSDoc's owner.
  for (const [warning] of stripVTControlCharacters(run.stdout).matchAll(/^WARNING: .*$/gm)) {
    process.stdout.write(`api-documenter: ${warning}\n`);
  }
  // Display names: a subpath entry point is imported as `nest-workos-reauth/redis`.
  const display = ENTRIES.filter(({ report, specifier }) => report !== specifier);
  const pages = new Map<string, string>();
  for (const file of filesUnder(out)) {
    let text = readFileSync(join(out, file), 'utf8').replace(/\r\n/g, '\n');
    for (const { report, specifier } of display) {
      text = text
        .replaceAll(`[${report}](`, `[${specifier}](`)
        .replaceAll(`## ${report} package`, `## ${specifier} entry point`);
    }
    pages.set(file, text);
  }
  return pages;
}

/** Writes the reference (update) or compares it with the committed one (check). */
function syncReference(pages: Map<string, string>): void {
  const dir = join(root, REFERENCE_DIR);
  const committed = filesUnder(dir);
  if (update) {
    for (const file of committed) if (!pages.has(file)) rmSync(join(dir, file));
    for (const [file, text] of pages) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      const path = join(dir, file);
      if (!existsSync(path) || readFileSync(path, 'utf8') !== text) writeFileSync(path, text);
    }
    process.stdout.write(`${REFERENCE_DIR}: ${pages.size} pages written\n`);
    return;
  }
  const stale: string[] = [];
  for (const file of committed) if (!pages.has(file)) stale.push(`${file} (no longer generated)`);
  for (const [file, text] of pages) {
    const path = join(dir, file);
    if (!existsSync(path)) stale.push(`${file} (missing)`);
    else if (readFileSync(path, 'utf8') !== text) stale.push(`${file} (differs)`);
  }
  if (stale.length > 0) {
    const shown = stale.slice(0, 20).map((file) => `  ${REFERENCE_DIR}/${file}`);
    if (stale.length > shown.length) shown.push(`  and ${stale.length - shown.length} more`);
    fail(
      `${REFERENCE_DIR} is stale (${stale.length} files), run npm run api:update:\n${shown.join('\n')}`,
    );
  } else {
    process.stdout.write(`${REFERENCE_DIR}: up to date\n`);
  }
}

try {
  for (const entry of ENTRIES) extract(entry);
  const complete = ENTRIES.every(({ report }) => existsSync(join(models, `${report}.api.json`)));
  const pages = complete ? generateReference() : undefined;
  if (pages) syncReference(pages);
} finally {
  rmSync(temp, { recursive: true, force: true });
}
if (forgotten.length > 0) {
  fail(
    `Forgotten exports (ae-forgotten-export): the public API of each entry point below names a ` +
      `symbol that entry point does not export. Export it from there (or keep it out of public ` +
      `signatures), then run npm run api:update:\n${forgotten.join('\n')}`,
  );
}
for (const problem of problems) process.stderr.write(`${problem}\n`);
process.exitCode = problems.length > 0 ? 1 : 0;
