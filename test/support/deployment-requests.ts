import { type HttpBrowser } from './http-browser';
import { COOKIE_PASSWORD } from './reauth-app';
import { type AppInstance, type Deployment } from './reauth-deployment';

const JSON_ACCEPT = { accept: 'application/json' };

/** A copy of a session cookie, sent to an instance from anywhere (no jar, no browser). */
export const withCookie = (instance: AppInstance, path: string, sealed: string) =>
  fetch(`${instance.url}${path}`, {
    headers: { cookie: `wos-session=${sealed}`, ...JSON_ACCEPT },
    redirect: 'manual',
  });

/** A request with a Bearer token, asking for JSON. */
export const withBearer = (instance: AppInstance, path: string, token: string) =>
  fetch(`${instance.url}${path}`, {
    headers: { authorization: `Bearer ${token}`, ...JSON_ACCEPT },
  });

/** The session cookies an answer sets. */
export const sessionCookies = (res: Response) =>
  res.headers.getSetCookie().filter((cookie) => cookie.startsWith('wos-session='));

/** Signs the browser's session out through the instance's logout route, as its pages do. */
export const logOut = (browser: HttpBrowser, instance: AppInstance) =>
  browser.request(`${instance.url}/auth/logout`, {
    method: 'POST',
    headers: { origin: instance.url, 'sec-fetch-site': 'same-origin' },
  });

/** The access token inside a sealed session of the deployment. */
export const accessTokenIn = async (deployment: Deployment, sealed: string) =>
  (await deployment.workos.userManagement.getSessionFromCookie({
    sessionData: sealed,
    cookiePassword: COOKIE_PASSWORD,
  }))!.accessToken;
