import { isSameOriginRequest } from './same-origin';

const ALLOWED = new Set(['https://app.example', 'http://localhost:3000', 'https://admin.example']);

describe('isSameOriginRequest', () => {
  it.each([
    [{ 'sec-fetch-site': 'same-origin' }, true],
    [{ 'sec-fetch-site': 'same-origin', origin: 'https://evil.example' }, true],
    [{ 'sec-fetch-site': 'same-site' }, false],
    [{ 'sec-fetch-site': 'cross-site' }, false],
    [{ 'sec-fetch-site': 'none' }, false],
    [{ 'sec-fetch-site': ['same-origin', 'same-origin'] }, false],
    [{ 'sec-fetch-site': 'cross-site', origin: 'https://admin.example' }, true],
    [{ 'sec-fetch-site': 'same-site', origin: 'https://evil.example' }, false],
    [{ 'sec-fetch-site': 'cross-site', referer: 'https://app.example/x' }, false],
    [{ origin: 'https://app.example' }, true],
    [{ origin: 'http://localhost:3000' }, true],
    [{ origin: 'http://localhost:3001' }, false],
    [{ origin: 'https://APP.example' }, false],
    [{ origin: 'https://app.example.evil.example' }, false],
    [{ origin: 'null' }, false],
    [{ origin: 'not a url' }, false],
    [{ origin: ['https://app.example'] }, false],
    [{ origin: 'https://evil.example', referer: 'https://app.example/' }, false],
    [{ referer: 'https://app.example/page?x=1' }, true],
    [{ referer: 'https://APP.example/page' }, true],
    [{ referer: 'https://app.example.evil.example/' }, false],
    [{ referer: 'javascript:alert(1)' }, false],
    [{ referer: '/relative' }, false],
    [{ referer: ['https://app.example/'] }, false],
    [{ host: 'app.example' }, false],
    [{}, false],
  ])('%p -> %p', (headers, expected) => {
    expect(isSameOriginRequest(headers, ALLOWED)).toBe(expected);
  });
});
