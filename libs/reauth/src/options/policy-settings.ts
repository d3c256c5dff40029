import { isValidAssuranceList, isValidMaxAge } from '../core';
import { MAX_AGE_LIMIT_SECONDS } from '../core/freshness';
import { booleanOption, fail, oneOf } from '../core/option-checks';
import type {
  ReauthExplainOptions,
  ReauthInventoryOptions,
  ReauthLevel,
} from '../interfaces/policy-options.interface';
import type { InPageMethod } from '../interfaces/step-up-options.interface';

/** What a level's name may be: the decorator checks the same. */
export const LEVEL_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
const LEVEL_KEYS = new Set(['maxAge', 'acr', 'amr', 'methods', 'slide']);
const METHODS: readonly InPageMethod[] = ['passkey', 'password'];

/** The module's `levels`, `defaultLevel`, `inventory` and `explainRefusals`, checked. */
export abstract class PolicySettings {
  abstract readonly levels: ReadonlyMap<string, Readonly<ReauthLevel>>;
  abstract readonly defaultLevel?: string;
  abstract readonly inventory: Readonly<Required<ReauthInventoryOptions>>;
  abstract readonly explainRefusals: Readonly<Required<ReauthExplainOptions>>;
}

interface PolicyOptionsInput {
  levels?: unknown;
  defaultLevel?: unknown;
  inventory?: unknown;
  explainRefusals?: unknown;
}

/** Checks the policy options once at start-up; mistakes throw a `TypeError` naming the option. */
export function resolvePolicySettings(options: PolicyOptionsInput): PolicySettings {
  const levels = resolveLevels(options.levels);
  let defaultLevel: string | undefined;
  if (options.defaultLevel !== undefined) {
    if (typeof options.defaultLevel !== 'string' || !levels.has(options.defaultLevel)) {
      fail(
        'defaultLevel',
        `must name one of levels (${[...levels.keys()].join(', ') || 'none defined'}), got ${JSON.stringify(options.defaultLevel)}`,
      );
    }
    defaultLevel = options.defaultLevel;
  }
  return Object.freeze({
    levels,
    defaultLevel,
    inventory: resolveInventory(options.inventory),
    explainRefusals: resolveExplain(options.explainRefusals),
  });
}

function resolveLevels(value: unknown): ReadonlyMap<string, Readonly<ReauthLevel>> {
  const levels = new Map<string, Readonly<ReauthLevel>>();
  if (value === undefined) return levels;
  if (!isPlainObject(value)) fail('levels', 'must be an object of named levels');
  for (const [name, level] of Object.entries(value)) {
    if (!LEVEL_NAME.test(name)) {
      fail(
        'levels',
        `has a name that is not 1 to 64 letters, digits or _.:-: ${JSON.stringify(name)}`,
      );
    }
    levels.set(name, resolveLevel(level, `levels.${name}`));
  }
  return levels;
}

/** One level, checked; also used for the levels an organization rule names. */
export function resolveLevel(value: unknown, option: string): Readonly<ReauthLevel> {
  if (!isPlainObject(value)) fail(option, 'must be an object with a maxAge');
  const unknown = Object.keys(value).find((key) => !LEVEL_KEYS.has(key));
  if (unknown !== undefined) fail(`${option}.${unknown}`, 'is not a level option');
  const { maxAge, acr, amr, methods, slide } = value;
  if (!isValidMaxAge(maxAge)) fail(`${option}.maxAge`, 'must be an integer from 0 to 10 years');
  for (const [name, list] of [
    ['acr', acr],
    ['amr', amr],
  ] as const) {
    if (list !== undefined && !isValidAssuranceList(list)) {
      fail(
        `${option}.${name}`,
        'must be an array of 1 to 10 distinct values without spaces or quotes',
      );
    }
  }
  if (
    methods !== undefined &&
    (!Array.isArray(methods) ||
      new Set(methods).size !== methods.length ||
      methods.some((method) => !METHODS.includes(method as InPageMethod)))
  ) {
    fail(`${option}.methods`, "must be an array of distinct 'passkey' and 'password'");
  }
  if (acr !== undefined && Array.isArray(methods) && methods.length > 0) {
    fail(
      `${option}.methods`,
      'cannot count with acr: only the provider issues an acr, so no confirmation in the page can satisfy this level',
    );
  }
  let resolvedSlide: { capSeconds: number } | undefined;
  if (slide !== undefined) {
    if (!isPlainObject(slide) || Object.keys(slide).some((key) => key !== 'capSeconds')) {
      fail(`${option}.slide`, 'must be an object { capSeconds }');
    }
    const cap = (slide as { capSeconds?: unknown }).capSeconds;
    if (maxAge === 0) {
      fail(
        `${option}.slide`,
        'cannot slide a one-time level (maxAge 0): each request needs its own proof',
      );
    }
    if (
      typeof cap !== 'number' ||
      !Number.isSafeInteger(cap) ||
      cap < maxAge ||
      cap > MAX_AGE_LIMIT_SECONDS
    ) {
      fail(
        `${option}.slide.capSeconds`,
        `must be an integer from the level's maxAge (${maxAge}) to 10 years`,
      );
    }
    resolvedSlide = Object.freeze({ capSeconds: cap });
  }
  return Object.freeze({
    maxAge,
    ...(acr === undefined ? {} : { acr: Object.freeze([...(acr as string[])]) as string[] }),
    ...(amr === undefined ? {} : { amr: Object.freeze([...(amr as string[])]) as string[] }),
    ...(methods === undefined
      ? {}
      : { methods: Object.freeze([...(methods as InPageMethod[])]) as InPageMethod[] }),
    ...(resolvedSlide ? { slide: resolvedSlide } : {}),
  });
}

function resolveInventory(value: unknown): Readonly<Required<ReauthInventoryOptions>> {
  if (value !== undefined && !isPlainObject(value)) fail('inventory', 'must be an object');
  const options = (value ?? {}) as ReauthInventoryOptions;
  const allow = options.allowUnguarded;
  if (
    allow !== undefined &&
    (!Array.isArray(allow) || allow.some((item) => typeof item !== 'string' || item === ''))
  ) {
    fail('inventory.allowUnguarded', "must be an array of 'Controller.handler' names");
  }
  return Object.freeze({
    log: booleanOption(options.log, 'inventory.log', false),
    unguardedWrites: oneOf(
      options.unguardedWrites,
      'inventory.unguardedWrites',
      ['off', 'warn', 'error'],
      'off',
    ),
    allowUnguarded: Object.freeze([...(allow ?? [])]) as string[],
  });
}

function resolveExplain(value: unknown): Readonly<Required<ReauthExplainOptions>> {
  if (value !== undefined && !isPlainObject(value)) fail('explainRefusals', 'must be an object');
  const options = (value ?? {}) as ReauthExplainOptions;
  return Object.freeze({
    header: booleanOption(options.header, 'explainRefusals.header', false),
    log: booleanOption(options.log, 'explainRefusals.log', false),
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
