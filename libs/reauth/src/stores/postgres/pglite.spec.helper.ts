import type * as PGliteModule from '@electric-sql/pglite';
import * as nodeModule from 'node:module';

type NodeLoad = (request: string, parent: null, isMain: boolean) => unknown;

/**
 * An in-memory PGlite started under Jest. PGlite loads its WebAssembly through dynamic
 * `import()`s of Node builtins, which Jest's module sandbox refuses without
 * `--experimental-vm-modules`. So PGlite is loaded by Node's own loader (`Module._load`, which
 * Jest's `node:module` passes through), outside the sandbox, where those imports work.
 */
export async function startPGlite(): Promise<PGliteModule.PGlite> {
  const load = (nodeModule as unknown as { _load: NodeLoad })._load;
  const { PGlite } = load(
    require.resolve('@electric-sql/pglite'),
    null,
    false,
  ) as typeof PGliteModule;
  const db = new PGlite();
  await db.waitReady;
  return db;
}
