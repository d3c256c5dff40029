import type { RefusalExplanation } from '../exceptions/reauth-required.exception';
import type { EffectivePolicy } from './effective-policy';

/** The explanation of a refusal of a route with `policy`. */
export function explainRefusal(
  route: string,
  reason: string,
  policy: EffectivePolicy,
  methods: readonly string[],
  action?: string,
): RefusalExplanation {
  return Object.freeze({
    route,
    reason,
    rules: policy.rules,
    needs: Object.freeze({
      maxAge: policy.maxAge,
      ...(policy.acr ? { acr: policy.acr } : {}),
      ...(policy.amr ? { amr: policy.amr } : {}),
      ...(policy.slide ? { slideCapSeconds: policy.slide.capSeconds } : {}),
      ...(action === undefined ? {} : { action }),
    }),
    satisfiedBy: Object.freeze([...methods, 'provider']),
  });
}

/**
 * One line of text for a header or a log: `reason=stale; rules=level strict, organization
 * org_1; needs=max_age=300 amr=mfa; satisfied-by=passkey, provider`. Only what the route's
 * own declaration and the module's rules say: never a token, a claim or a bound value.
 */
export function explanationText(explanation: RefusalExplanation): string {
  const { needs } = explanation;
  const wants = [
    needs.maxAge === null ? 'sign-in' : `max_age=${needs.maxAge}`,
    needs.acr ? `acr=${needs.acr.join(',')}` : undefined,
    needs.amr ? `amr=${needs.amr.join(',')}` : undefined,
    needs.slideCapSeconds === undefined ? undefined : `slide-cap=${needs.slideCapSeconds}`,
    needs.action === undefined ? undefined : 'bound-action',
  ].filter((part): part is string => part !== undefined);
  return [
    `reason=${explanation.reason}`,
    `rules=${explanation.rules.join(', ')}`,
    `needs=${wants.join(' ')}`,
    `satisfied-by=${explanation.satisfiedBy.join(', ')}`,
  ]
    .join('; ')
    .replace(/[^\x20-\x7e]/g, '?');
}
