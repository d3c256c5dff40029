import ts from 'typescript';
import type { Snippet } from './package-readmes';

/** `require` as the snippet's code sees it: the suite's own, or one that swaps a package. */
export type SnippetRequire = (id: string) => unknown;

/** The snippet (and its prelude) as CommonJS, the way ts-jest or `tsc` would emit it for an app. */
function transpile(snippet: Snippet): string {
  const source =
    snippet.markers.prelude === undefined
      ? snippet.code
      : `${snippet.markers.prelude}\n${snippet.code}`;
  return ts.transpileModule(source, {
    fileName: `${snippet.readme}:${snippet.line}.ts`,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
    },
  }).outputText;
}

/**
 * Evaluates a snippet that is a test file: its `describe`, `it`, `beforeAll`... calls register
 * with the running Jest, inside the caller's `describe`, so the README's own test runs, as
 * printed, as part of this suite. Call it while Jest collects tests (at the top of a `describe`).
 */
export function registerSnippetTests(snippet: Snippet, require: SnippetRequire): void {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- running the README's code is the point
  const run = new Function('require', 'module', 'exports', transpile(snippet)) as (
    require: SnippetRequire,
    module: { exports: object },
    exports: object,
  ) => void;
  const module = { exports: {} };
  run(require, module, module.exports);
}

/**
 * Runs a snippet that is a program (top-level `await` allowed) to its end, and resolves to the
 * values of the top-level names in `expose`, for the caller to check what it made.
 */
export async function runSnippetProgram(
  snippet: Snippet,
  require: SnippetRequire,
  expose: readonly string[] = [],
): Promise<Record<string, unknown>> {
  const body = `return (async () => {\n${transpile(snippet)}\nreturn { ${expose.join(', ')} };\n})();`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- running the README's code is the point
  const run = new Function('require', 'module', 'exports', body) as (
    require: SnippetRequire,
    module: { exports: object },
    exports: object,
  ) => Promise<Record<string, unknown>>;
  const module = { exports: {} };
  return run(require, module, module.exports);
}
