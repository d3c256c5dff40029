/**
 * Loads an optional peer dependency for one of the package's entry points, so that a missing
 * one names itself and how to install it instead of surfacing as a bare "Cannot find module".
 * Other failures (a broken install, a syntax error inside the peer) are rethrown unchanged.
 */
export function requireOptionalPeer<T>(
  name: string,
  entryPoint: string,
  install: string,
  load: (id: string) => unknown = require,
): T {
  try {
    return load(name) as T;
  } catch (error) {
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
    if (
      code === 'MODULE_NOT_FOUND' &&
      typeof message === 'string' &&
      message.includes(`'${name}'`)
    ) {
      throw new Error(
        `${entryPoint} needs the optional peer dependency "${name}", which is not installed: run \`${install}\``,
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * Whether `error` is `require` failing to find the package `name` itself, as opposed to one of
 * the package's own dependencies or a file inside it.
 */
export function isMissingPeer(error: unknown, name: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (
    code === 'MODULE_NOT_FOUND' && typeof message === 'string' && message.includes(`'${name}'`)
  );
}

/**
 * Loads an optional peer dependency that only adds to what the package does, so that its absence
 * is normal: `undefined` when it is not installed. Other failures (a broken install, a syntax
 * error inside the peer) are rethrown unchanged.
 */
export function loadOptionalPeer<T>(
  name: string,
  load: (id: string) => unknown = require,
): T | undefined {
  try {
    return load(name) as T;
  } catch (error) {
    if (isMissingPeer(error, name)) return undefined;
    throw error;
  }
}
