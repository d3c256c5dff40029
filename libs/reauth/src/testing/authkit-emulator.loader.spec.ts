import { loadAuthKitEmulator } from './authkit-emulator.loader';

const MISSING_MESSAGE =
  'nest-workos-reauth/testing needs the optional peer dependency "authkit-emulator", which is ' +
  'not installed: run `npm install --save-dev authkit-emulator`';

function moduleNotFound(message: string): Error {
  return Object.assign(new Error(message), { code: 'MODULE_NOT_FOUND' });
}

/** What `loadAuthKitEmulator` throws when `require` throws `error`. */
function thrownFor(error: unknown): unknown {
  try {
    loadAuthKitEmulator(() => {
      throw error;
    });
  } catch (caught) {
    return caught;
  }
  throw new Error('nothing was thrown');
}

describe('loadAuthKitEmulator', () => {
  it('loads the installed package', () => {
    expect(typeof loadAuthKitEmulator().startAuthKitEmulator).toBe('function');
  });

  it('asks for the package by its name', () => {
    const load = jest.fn(() => ({ startAuthKitEmulator: () => undefined }));
    loadAuthKitEmulator(load);
    expect(load).toHaveBeenCalledWith('authkit-emulator');
  });

  it.each([
    // Node's require and Jest's, as they word it.
    "Cannot find module 'authkit-emulator'\nRequire stack:\n- /app/dist/testing/index.js",
    "Cannot find module 'authkit-emulator' from 'dist/testing/index.js'",
  ])('names the package and the install command when it is missing: %p', (message) => {
    const cause = moduleNotFound(message);
    const thrown = thrownFor(cause) as Error;
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown.name).toBe('Error');
    expect(thrown.message).toBe(MISSING_MESSAGE);
    expect(thrown.cause).toBe(cause);
  });

  it.each([
    [
      'a missing dependency of the package',
      moduleNotFound(
        "Cannot find module 'express'\nRequire stack:\n" +
          '- /app/node_modules/authkit-emulator/dist/emulator.js\n- /app/dist/testing/index.js',
      ),
    ],
    [
      'a package whose name starts the same',
      moduleNotFound("Cannot find module 'authkit-emulator-plus'"),
    ],
    ['the same message with another code', new Error("Cannot find module 'authkit-emulator'")],
    ['a syntax error', new SyntaxError('Unexpected token')],
    ['a thrown string', 'boom'],
    ['a thrown null', null],
  ])('rethrows %s unchanged', (_name, error) => {
    expect(thrownFor(error)).toBe(error);
  });
});
