// Option checks shared by the module's options and each provider's: a caller's mistake throws a
// TypeError naming the option, so a misconfigured app never starts.

export function fail(option: string, requirement: string): never {
  throw new TypeError(`ReauthModule: ${option} ${requirement}`);
}

export function requiredString(value: unknown, option: string): string {
  if (typeof value !== 'string' || value.trim() === '') fail(option, 'is required');
  return value;
}

export function integerInRange(
  value: unknown,
  option: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    fail(option, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

export function booleanOption(value: unknown, option: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail(option, 'must be a boolean');
  return value;
}

export function originOf(value: unknown, option: string): string {
  if (typeof value !== 'string' || !URL.canParse(value)) {
    fail(option, `must be an origin such as "https://app.example", got ${JSON.stringify(value)}`);
  }
  const url = new URL(value);
  if (
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.href !== `${url.origin}/` ||
    !/^https?:\/\/[^/]+\/?$/.test(value)
  ) {
    fail(option, `must be an origin such as "https://app.example", got ${JSON.stringify(value)}`);
  }
  return url.origin;
}

export function stringList(value: unknown, option: string): string[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    list.some((item) => typeof item !== 'string' || item === '')
  ) {
    fail(option, 'must be a non-empty string or a non-empty array of them');
  }
  return [...(list as string[])];
}

export function absoluteUrl(value: string, option: string): URL {
  if (!URL.canParse(value)) fail(option, `must be an absolute http(s) URL, got "${value}"`);
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    fail(option, `must be an absolute http(s) URL, got "${value}"`);
  }
  return url;
}

export function routePath(
  value: unknown,
  option: string,
  fallback: string,
  optional: boolean,
): string | false {
  if (value === undefined) return fallback;
  if (value === false && optional) return false;
  if (typeof value !== 'string' || !/^\/[A-Za-z0-9/_.~-]*$/.test(value) || value.includes('//')) {
    fail(
      option,
      optional ? 'must be a path such as "/auth/x", or false' : 'must be a path such as "/auth/x"',
    );
  }
  return value.length > 1 ? value.replace(/\/$/, '') : value;
}

export function oneOf<const T extends string>(
  value: unknown,
  option: string,
  values: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!values.includes(value as T)) {
    fail(option, `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}`);
  }
  return value as T;
}
