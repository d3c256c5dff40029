import { basename, dirname, join } from 'node:path';
import ts from 'typescript';
import { REPO_ROOT, type Snippet } from './package-readmes';

/**
 * Packages the READMEs show that this repository does not install, declared with the part of
 * their API the snippets use, so that everything else in those snippets is still checked
 * against the real types.
 */
const NOT_INSTALLED = `
declare module '@nestjs/config' {
  export declare class ConfigModule {}
  export declare class ConfigService {
    getOrThrow<T = unknown>(propertyPath: string): T;
  }
}
declare module '@opentelemetry/exporter-metrics-otlp-http' {
  import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
  export declare class OTLPMetricExporter implements PushMetricExporter {
    constructor(config?: { url?: string; headers?: Record<string, string> });
    export: PushMetricExporter['export'];
    forceFlush(): Promise<void>;
    shutdown(): Promise<void>;
  }
}
`;
const NOT_INSTALLED_FILE = join(REPO_ROOT, 'test/readme/__not-installed__.d.ts');

/** Where a snippet lives while it is compiled: beside its page, under its own name. */
export interface SnippetFile {
  snippet: Snippet;
  fileName: string;
  text: string;
  preludeLines: number;
}

/**
 * A snippet that starts with a `// name.ts` comment is that file (so `main.ts` can import
 * `./app.module`); the others are named after their line. Each page (a README, a page of `docs/`)
 * has a folder of its own.
 */
export function snippetFile(snippet: Snippet): SnippetFile {
  const named = /^\/\/ ([\w.-]+\.ts)\s*$/m.exec(snippet.code.split('\n', 1)[0]);
  const folder = join(
    REPO_ROOT,
    dirname(snippet.readme),
    '__readme_snippets__',
    basename(snippet.readme, '.md'),
  );
  const prelude = snippet.markers.prelude;
  return {
    snippet,
    fileName: join(folder, named ? named[1] : `line-${snippet.line}.ts`),
    text: prelude === undefined ? snippet.code : `${prelude}\n${snippet.code}`,
    preludeLines: prelude === undefined ? 0 : prelude.split('\n').length,
  };
}

function compilerOptions(paths: Record<string, string[]>): ts.CompilerOptions {
  const configPath = join(REPO_ROOT, 'tsconfig.json');
  const { config } = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path)) as {
    config: unknown;
  };
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, REPO_ROOT, undefined, configPath);
  return {
    ...parsed.options,
    // Snippets are ES modules (several use top-level `await`) and may leave a value unused.
    module: ts.ModuleKind.Preserve,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    moduleDetection: ts.ModuleDetectionKind.Force,
    noUnusedLocals: false,
    noUnusedParameters: false,
    noEmit: true,
    declaration: false,
    sourceMap: false,
    paths: { ...parsed.options.paths, ...paths },
  };
}

/** `libs/reauth/README.md:80:5 TS2304: Cannot find name 'x'.` */
function describeDiagnostic(file: SnippetFile, diagnostic: ts.Diagnostic): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
  const { snippet } = file;
  if (diagnostic.file === undefined || diagnostic.start === undefined) {
    return `${snippet.readme}:${snippet.line} TS${diagnostic.code}: ${message}`;
  }
  const at = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  const inPrelude = at.line < file.preludeLines;
  const line = inPrelude
    ? `${snippet.markers.preludeLine ?? snippet.line} (the snippet's prelude)`
    : `${snippet.line + at.line - file.preludeLines}:${at.character + 1}`;
  return `${snippet.readme}:${line} TS${diagnostic.code}: ${message}`;
}

/**
 * Type-checks snippets as the TypeScript files of an app, against this repository's packages
 * (resolved through the tsconfig `paths`), with the repository's strict settings. Resolves to
 * each snippet's errors, named by README file and line; `paths` adds or replaces mappings (to
 * check against another version of a dependency).
 */
export function compileSnippets(
  snippets: readonly Snippet[],
  paths: Record<string, string[]> = {},
): Map<Snippet, string[]> {
  const files = snippets.map(snippetFile);
  const byName = new Map(files.map((file) => [file.fileName, file]));
  if (byName.size !== files.length) {
    throw new Error('Two snippets of one page name the same file');
  }
  const options = compilerOptions(paths);
  const host = ts.createCompilerHost(options, true);
  const virtual = new Map<string, string>([
    ...files.map((file) => [file.fileName, file.text] as const),
    [NOT_INSTALLED_FILE, NOT_INSTALLED],
  ]);
  const folders = new Set([...virtual.keys()].map((name) => dirname(name)));
  const { getSourceFile, fileExists, readFile, directoryExists } = host;
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    const text = virtual.get(fileName);
    return text === undefined
      ? getSourceFile.call(host, fileName, languageVersion, ...rest)
      : ts.createSourceFile(fileName, text, languageVersion, true);
  };
  host.fileExists = (fileName) => virtual.has(fileName) || fileExists.call(host, fileName);
  host.readFile = (fileName) => virtual.get(fileName) ?? readFile.call(host, fileName);
  host.directoryExists = (name) =>
    folders.has(name) || (directoryExists?.call(host, name) ?? ts.sys.directoryExists(name));

  const program = ts.createProgram([...virtual.keys()], options, host);
  const result = new Map<Snippet, string[]>();
  for (const file of files) {
    const source = program.getSourceFile(file.fileName)!;
    const diagnostics = [
      ...program.getSyntacticDiagnostics(source),
      ...program.getSemanticDiagnostics(source),
    ];
    result.set(
      file.snippet,
      diagnostics.map((diagnostic) => describeDiagnostic(file, diagnostic)),
    );
  }
  return result;
}
