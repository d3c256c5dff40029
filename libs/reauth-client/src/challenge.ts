/** One challenge of a `WWW-Authenticate` header (RFC 9110 §11.6.1). */
export interface AuthChallenge {
  /** The scheme, lower-cased (`bearer`). */
  scheme: string;
  /** Parameters by lower-cased name, quoted strings unescaped. */
  params: Record<string, string>;
  /** A token68 value (`Basic dXNlcg==`), when the challenge has one instead of parameters. */
  token68?: string;
}

/** What an RFC 9470 step-up challenge asks for. */
export interface StepUpChallenge {
  /** `max_age`: the sign-in must be at most this many seconds old. */
  maxAge?: number;
  /** `acr_values`: the assurance levels the server accepts, most preferred first. */
  acrValues?: string[];
  /** `error_description`: the server's explanation, for people. */
  errorDescription?: string;
}

/** At most this many acr values are taken from a response; more, and none are. */
const MAX_ACR_VALUES = 10;
/** The longest acr value, in characters, taken from a response. */
const MAX_ACR_VALUE_LENGTH = 200;

/**
 * `value` when it is a list of 1 to {@link MAX_ACR_VALUES} non-empty strings of at most
 * {@link MAX_ACR_VALUE_LENGTH} characters, else `undefined`.
 */
export function validAcrValues(value: unknown): string[] | undefined {
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    value.length > MAX_ACR_VALUES ||
    !value.every(
      (entry) =>
        typeof entry === 'string' && entry.length > 0 && entry.length <= MAX_ACR_VALUE_LENGTH,
    )
  ) {
    return undefined;
  }
  return [...(value as string[])];
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*(?=[ \t]*(,|$))/;

/**
 * Parses a `WWW-Authenticate` value into its challenges: several challenges in one header,
 * token and quoted-string parameter values, token68. Malformed input yields the challenges read
 * before the error, never an exception.
 *
 * @example
 * ```ts
 * parseWwwAuthenticate('Bearer error="insufficient_user_authentication", max_age=300');
 * // [{ scheme: 'bearer', params: { error: 'insufficient_user_authentication', max_age: '300' } }]
 * ```
 */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  let rest = typeof header === 'string' ? header : '';
  const skip = (pattern: RegExp) => {
    rest = rest.replace(pattern, '');
  };
  skip(/^[\s,]+/);
  while (rest.length > 0) {
    const scheme = TOKEN.exec(rest);
    if (!scheme) break;
    rest = rest.slice(scheme[0].length);
    const challenge: AuthChallenge = { scheme: scheme[0].toLowerCase(), params: {} };
    challenges.push(challenge);
    skip(/^[ \t]+/);
    // token68 stands alone (up to a comma or the end); "name=value" starts the parameters.
    const token68 = TOKEN68.exec(rest);
    if (token68) {
      challenge.token68 = token68[0];
      rest = rest.slice(token68[0].length);
    } else {
      for (;;) {
        const name = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)[ \t]*=[ \t]*/.exec(rest);
        if (!name) break;
        rest = rest.slice(name[0].length);
        let value: string | undefined;
        if (rest.startsWith('"')) {
          const quoted = /^"((?:[^"\\]|\\.)*)"/.exec(rest);
          if (!quoted) return challenges;
          value = quoted[1].replace(/\\(.)/g, '$1');
          rest = rest.slice(quoted[0].length);
        } else {
          const token = TOKEN.exec(rest);
          if (!token) return challenges;
          value = token[0];
          rest = rest.slice(token[0].length);
        }
        challenge.params[name[1].toLowerCase()] = value;
        const separator = /^[ \t]*,[ \t,]*/.exec(rest);
        if (!separator) break;
        rest = rest.slice(separator[0].length);
        // A following token not followed by "=" starts the next challenge.
        if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+[ \t]*=/.test(rest)) break;
      }
    }
    skip(/^[\s,]+/);
  }
  return challenges;
}

/**
 * The RFC 9470 step-up challenge among a response's `WWW-Authenticate` challenges: a Bearer
 * challenge with `error="insufficient_user_authentication"`. `undefined` when there is none.
 * A malformed `max_age` is left out, and so are `acr_values` that hold no value, more than 10
 * values or a value over 200 characters.
 *
 * @example
 * ```ts
 * findStepUpChallenge('Bearer error="insufficient_user_authentication", max_age="300"');
 * // { maxAge: 300 }
 * ```
 */
export function findStepUpChallenge(
  header: string | null | undefined,
): StepUpChallenge | undefined {
  if (!header) return undefined;
  const challenge = parseWwwAuthenticate(header).find(
    (candidate) =>
      candidate.scheme === 'bearer' &&
      candidate.params.error === 'insufficient_user_authentication',
  );
  if (!challenge) return undefined;
  const found: StepUpChallenge = {};
  const maxAge = challenge.params.max_age;
  if (maxAge !== undefined && /^\d{1,10}$/.test(maxAge)) found.maxAge = Number(maxAge);
  const acrValues = validAcrValues(challenge.params.acr_values?.split(/[ \t]+/).filter(Boolean));
  if (acrValues) found.acrValues = acrValues;
  if (challenge.params.error_description)
    found.errorDescription = challenge.params.error_description;
  return found;
}
