import { isSameOriginRequest } from './same-origin';

describe('isSameOriginRequest', () => {
  it.each([
    [{ host: 'app.example', 'sec-fetch-site': 'same-origin' }, true],
    [{ host: 'app.example', 'sec-fetch-site': 'same-site' }, false],
    [{ host: 'app.example', 'sec-fetch-site': 'cross-site' }, false],
    [{ host: 'app.example', 'sec-fetch-site': 'none' }, false],
    [{ host: 'app.example', 'sec-fetch-site': ['same-origin', 'same-origin'] }, false],
    [{ host: 'app.example', origin: 'https://app.example' }, true],
    [{ host: 'APP.example:3000', origin: 'http://app.example:3000' }, true],
    [{ host: 'app.example', origin: 'https://evil.example' }, false],
    [{ host: 'app.example', origin: 'https://app.example.evil.example' }, false],
    [{ host: 'app.example', origin: 'null' }, false],
    [{ host: 'app.example', origin: 'not a url' }, false],
    [{ origin: 'https://app.example' }, false],
    [{ host: 'app.example', origin: ['https://app.example'] }, false],
    [{ host: 'app.example' }, true],
    [{}, true],
  ])('%p -> %p', (headers, expected) => {
    expect(isSameOriginRequest(headers)).toBe(expected);
  });
});
