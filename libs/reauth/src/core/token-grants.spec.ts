import { hasAcrs, hasScopes } from './token-grants';

describe('hasAcrs and hasScopes', () => {
  it.each([undefined, null, 'c1', ['c2'], [1], {}])('find no c1 in acrs %p', (acrs) => {
    expect(hasAcrs({ acrs }, ['c1'])).toBe(false);
  });

  it.each([
    [{ scope: 'a b' }, true],
    [{ scp: 'a b' }, true],
    [{ scope: 'a', scp: ['b'] }, true],
    [{ scope: 'a' }, false],
    [{ scope: ['a', 1] }, false],
    [{ scope: 'ab' }, false],
    [{}, false],
  ])('%p carries a and b: %p', (claims, expected) => {
    expect(hasScopes(claims, ['a', 'b'])).toBe(expected);
  });
});
