// Source lines for the TypeScript files of a profile. The server runs them through ts-node, so V8
// reports positions in the JavaScript it compiled (decorator helpers shift every line): compile
// each file again the same way, with a source map, and read the map back.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';

/** Per generated line (0-based): [generated column, source line (0-based)] pairs, by column. */
type LineMappings = [number, number][][];

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The numbers of one segment of a source map's `mappings` (base64 VLQ). */
function decodeSegment(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = BASE64.indexOf(char);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    values.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return values;
}

/** A source map's `mappings`, decoded to the generated column → source line of each line. */
function decodeMappings(mappings: string): LineMappings {
  let sourceLine = 0;
  return mappings.split(';').map((line) => {
    let column = 0;
    const pairs: [number, number][] = [];
    for (const segment of line.split(',')) {
      if (segment === '') continue;
      const [columnDelta, , lineDelta] = decodeSegment(segment);
      column += columnDelta;
      if (lineDelta === undefined) continue;
      sourceLine += lineDelta;
      pairs.push([column, sourceLine]);
    }
    return pairs;
  });
}

/** The compiler options ts-node uses here: the repository's tsconfig, with a source map. */
function compilerOptions(repoRoot: string): ts.CompilerOptions {
  const path = join(repoRoot, 'tsconfig.json');
  const { config } = ts.readConfigFile(path, (file) => ts.sys.readFile(file)) as {
    config: unknown;
  };
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, repoRoot);
  return { ...options, sourceMap: true, inlineSourceMap: false, declaration: false };
}

/**
 * A `sourceLine` for `summariseProfile`: the 1-based TypeScript line of a 0-based position in
 * what ts-node compiled; undefined for any other file, or one that cannot be read or compiled.
 */
export function typeScriptLines(
  repoRoot: string,
): (path: string, line: number, column: number) => number | undefined {
  const options = compilerOptions(repoRoot);
  const maps = new Map<string, LineMappings | undefined>();
  const mapOf = (path: string): LineMappings | undefined => {
    if (!maps.has(path)) {
      try {
        const { sourceMapText } = ts.transpileModule(readFileSync(path, 'utf8'), {
          fileName: path,
          compilerOptions: options,
        });
        const { mappings } = JSON.parse(sourceMapText ?? '{}') as { mappings?: string };
        maps.set(path, mappings === undefined ? undefined : decodeMappings(mappings));
      } catch {
        maps.set(path, undefined);
      }
    }
    return maps.get(path);
  };
  return (path, line, column) => {
    if (!path.endsWith('.ts') || path.endsWith('.d.ts')) return undefined;
    const pairs = mapOf(path)?.[line];
    if (!pairs || pairs.length === 0) return undefined;
    // The last mapping that starts at or before the column; the line's first one otherwise.
    const at = pairs.filter(([start]) => start <= column).pop() ?? pairs[0];
    return at[1] + 1;
  };
}
