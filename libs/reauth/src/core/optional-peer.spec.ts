import { requireOptionalPeer } from './optional-peer';

function notFound(id: string): Error {
  return Object.assign(new Error(`Cannot find module '${id}'\nRequire stack:\n- /app/x.js`), {
    code: 'MODULE_NOT_FOUND',
  });
}

describe('requireOptionalPeer', () => {
  it('returns the loaded module', () => {
    const ioredis = { Redis: class {} };
    expect(
      requireOptionalPeer('ioredis', 'nest-workos-reauth/redis', 'npm i ioredis', () => ioredis),
    ).toBe(ioredis);
  });

  it('names the missing package, the entry point and the install command', () => {
    const load = (id: string) => {
      throw notFound(id);
    };
    expect(() =>
      requireOptionalPeer('ioredis', 'nest-workos-reauth/redis', 'npm install ioredis', load),
    ).toThrow(
      'nest-workos-reauth/redis needs the optional peer dependency "ioredis", which is not installed: run `npm install ioredis`',
    );
  });

  it('rethrows other failures unchanged', () => {
    const inner = notFound('cluster-key-slot'); // a dependency of the peer is missing
    const syntax = new SyntaxError('Unexpected token');
    for (const error of [inner, syntax]) {
      expect(() =>
        requireOptionalPeer('ioredis', 'x', 'y', () => {
          throw error;
        }),
      ).toThrow(error);
    }
  });
});
