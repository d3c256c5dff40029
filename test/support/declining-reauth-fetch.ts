import { createReauthFetch, ReauthDeclinedError, type ReauthInfo } from 'step-up-fetch';

/**
 * What `step-up-fetch`'s wrapper, run in Node against a real app (with `fetch`, and a window
 * whose origin is the app's), tells the app about the refusal of `url`: the app declines, so the
 * call rejects with `ReauthDeclinedError`, and the info it was asked with is returned.
 */
export async function askedByStepUpFetch(
  origin: string,
  url: string,
  init: RequestInit = {},
): Promise<ReauthInfo> {
  let asked: ReauthInfo | undefined;
  const api = createReauthFetch({
    fetch: (input, requestInit) => fetch(input, requestInit),
    window: {
      open: () => null,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
      location: { origin, assign: () => undefined },
      sessionStorage: {
        getItem: () => null,
        setItem: () => undefined,
        removeItem: () => undefined,
      },
    },
    onReauthRequired: (info) => {
      asked = info;
      return false;
    },
  });
  await expect(api(url, init)).rejects.toBeInstanceOf(ReauthDeclinedError);
  if (!asked) throw new Error('step-up-fetch did not ask the app');
  return asked;
}
