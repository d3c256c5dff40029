/**
 * A strict reader of `WWW-Authenticate` field values (RFC 9110 §11.6.1): several challenges in
 * one value or across several header lines, parameters as tokens or quoted strings (with
 * `\`-escapes), and token68. Anything outside the grammar is refused with a reason, never
 * guessed at: the challenges come from another server, and a misread one would ask the user for
 * the wrong sign-in. Sizes are bounded before anything is read.
 */

/** The longest `WWW-Authenticate` value (all lines together) that is read, in characters. */
export const MAX_WWW_AUTHENTICATE_LENGTH = 8_192;
const MAX_CHALLENGES = 16;
const MAX_PARAMS = 32;

/** One challenge: its scheme (lower-cased), and either a token68 or named parameters. */
export interface AuthChallenge {
  /** The auth-scheme, lower-cased (`bearer`, `dpop`, `basic`...). */
  scheme: string;
  /** The token68 form's value, when the challenge has one. */
  token68?: string;
  /** Parameters by lower-cased name, unquoted and unescaped. */
  params: Readonly<Record<string, string>>;
}

/** A `WWW-Authenticate` value outside the grammar, or over the limits; `message` says where. */
export class WwwAuthenticateSyntaxError extends Error {
  readonly code = 'www_authenticate_malformed';
  constructor(message: string) {
    super(message);
    this.name = 'WwwAuthenticateSyntaxError';
  }
}

// tchar (RFC 9110 §5.6.2).
const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
// token68's characters before its `=` padding (RFC 9110 §11.2).
const T68CHAR = /[A-Za-z0-9\-._~+/]/;

/**
 * The challenges of one or more `WWW-Authenticate` lines, in order. Throws
 * {@link WwwAuthenticateSyntaxError} for a value outside the grammar, a parameter named twice in
 * one challenge, control or non-ASCII characters, or more than 8 KB, 16 challenges or 32
 * parameters in a challenge.
 */
export function parseWwwAuthenticate(lines: string | readonly string[]): AuthChallenge[] {
  const values: readonly unknown[] =
    typeof lines === 'string' ? [lines] : Array.isArray(lines) ? lines : [lines];
  let total = 0;
  for (const value of values) {
    if (typeof value !== 'string') throw new WwwAuthenticateSyntaxError('a value is not a string');
    total += value.length;
  }
  if (total > MAX_WWW_AUTHENTICATE_LENGTH) {
    throw new WwwAuthenticateSyntaxError(
      `the value is longer than ${MAX_WWW_AUTHENTICATE_LENGTH} characters`,
    );
  }
  const challenges: AuthChallenge[] = [];
  for (const value of values as readonly string[]) {
    challenges.push(...new Reader(value).challenges());
  }
  if (challenges.length > MAX_CHALLENGES) {
    throw new WwwAuthenticateSyntaxError(`more than ${MAX_CHALLENGES} challenges`);
  }
  return challenges;
}

class Reader {
  private at = 0;

  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if ((code < 0x20 && code !== 0x09) || code > 0x7e) {
        throw new WwwAuthenticateSyntaxError(`a control or non-ASCII character at ${i}`);
      }
    }
  }

  challenges(): AuthChallenge[] {
    const found: AuthChallenge[] = [];
    this.skipEmptyElements();
    while (!this.done()) {
      found.push(this.challenge());
      if (found.length > MAX_CHALLENGES) {
        throw new WwwAuthenticateSyntaxError(`more than ${MAX_CHALLENGES} challenges`);
      }
      this.skipEmptyElements();
    }
    return found;
  }

  /** `auth-scheme [ 1*SP ( token68 / #auth-param ) ]`, up to the next challenge or the end. */
  private challenge(): AuthChallenge {
    const scheme = this.token('an auth-scheme').toLowerCase();
    const params: Record<string, string> = Object.create(null) as Record<string, string>;
    if (this.done() || this.peek() === ',') return { scheme, params };
    if (this.spaces() === 0) throw this.error('a space after the auth-scheme');
    if (this.done() || this.peek() === ',') return { scheme, params };

    const token68 = this.token68();
    if (token68 !== undefined) return { scheme, token68, params };

    let count = 0;
    for (;;) {
      const name = this.token('a parameter name').toLowerCase();
      this.optionalWhitespace();
      if (this.peek() !== '=') throw this.error('"=" after the parameter name');
      this.at += 1;
      this.optionalWhitespace();
      const value = this.peek() === '"' ? this.quotedString() : this.token('a parameter value');
      if (name in params) throw new WwwAuthenticateSyntaxError(`the parameter ${name} twice`);
      params[name] = value;
      if (++count > MAX_PARAMS) {
        throw new WwwAuthenticateSyntaxError(`more than ${MAX_PARAMS} parameters`);
      }
      this.optionalWhitespace();
      if (this.done()) return { scheme, params };
      if (this.peek() !== ',') throw this.error('"," between parameters');
      // A list element after the comma: another parameter, or the next challenge.
      this.skipEmptyElements();
      if (this.done() || !this.startsParameter()) return { scheme, params };
    }
  }

  /** A token68 when what follows the scheme is one (and not the first parameter). */
  private token68(): string | undefined {
    const start = this.at;
    let end = start;
    while (end < this.text.length && T68CHAR.test(this.text[end])) end++;
    if (end === start) return undefined;
    while (end < this.text.length && this.text[end] === '=') end++;
    let next = end;
    while (next < this.text.length && /[ \t]/.test(this.text[next])) next++;
    if (next < this.text.length && this.text[next] !== ',') return undefined;
    this.at = next;
    return this.text.slice(start, end);
  }

  /** Whether the next list element is `token BWS "="`, not a new challenge's scheme. */
  private startsParameter(): boolean {
    let i = this.at;
    while (i < this.text.length && TCHAR.test(this.text[i])) i++;
    if (i === this.at) return false;
    while (i < this.text.length && /[ \t]/.test(this.text[i])) i++;
    return this.text[i] === '=';
  }

  private quotedString(): string {
    this.at += 1;
    let value = '';
    while (this.at < this.text.length) {
      const char = this.text[this.at++];
      if (char === '"') return value;
      if (char === '\\') {
        if (this.at >= this.text.length) break;
        value += this.text[this.at++];
      } else {
        value += char;
      }
    }
    throw new WwwAuthenticateSyntaxError('a quoted string without its closing quote');
  }

  private token(what: string): string {
    const start = this.at;
    while (this.at < this.text.length && TCHAR.test(this.text[this.at])) this.at++;
    if (this.at === start) throw this.error(what);
    return this.text.slice(start, this.at);
  }

  private skipEmptyElements(): void {
    for (;;) {
      this.optionalWhitespace();
      if (this.peek() !== ',') return;
      this.at += 1;
    }
  }

  private spaces(): number {
    const start = this.at;
    while (this.peek() === ' ') this.at++;
    return this.at - start;
  }

  private optionalWhitespace(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.at++;
  }

  private peek(): string | undefined {
    return this.text[this.at];
  }

  private done(): boolean {
    return this.at >= this.text.length;
  }

  private error(expected: string): WwwAuthenticateSyntaxError {
    return new WwwAuthenticateSyntaxError(`expected ${expected} at ${this.at}`);
  }
}
