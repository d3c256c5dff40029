import type { AuthKitEmulator } from 'authkit-emulator';
import { TOTP } from 'otpauth';
import {
  TransportError,
  VirtualBrowser,
  type BrowserResponse,
  type Navigation,
  type SoakNetwork,
} from './browser';
import type { Gate, SoakClocks } from './clocks';
import { isDocumented503, type Attempt, type FlowKind, type Observations } from './observations';
import {
  failureOf,
  hasElement,
  hostedStep,
  inputValue,
  isClearFailure,
  jsonBody,
  shownEmail,
  type HostedStep,
} from './pages';
import type { Random } from './random';
import type { SoakUser } from './users';

/** What every virtual user shares. */
export interface SoakWorld {
  network: SoakNetwork;
  emulator: AuthKitEmulator;
  clocks: SoakClocks;
  gate: Gate;
  observations: Observations;
  /** Which user each session id (`/api/me`'s `sessionId`) was first seen by. */
  sessionOwners: Map<string, number>;
  /** How many times the clocks will move in the run: when the planned steps may come. */
  plannedEpochs: number;
  /** Mean pause between two steps of a user, in ms. */
  thinkMs: number;
  /** Users start within this long of the start of the run, in ms. */
  warmUpMs: number;
  stopping(): boolean;
}

/**
 * The library allows 30 completed sign-ins per user and per client address in 10 minutes of real
 * time (Redis expires its counters in real time), while the soak packs hours of the app's time
 * into minutes: a user stays a little under the limit, as a real one would be.
 */
const SIGN_IN_BUDGET = 24;
const SIGN_IN_WINDOW_MS = 10 * 60_000;

/** After a 503 the user reloads, honouring `Retry-After` but not waiting longer than this... */
const MAX_RETRY_PAUSE_MS = 1000;
/** ...for this long before giving up on what they were doing. */
const RETRY_FOR_MS = 10_000;

/** Shown on the security page when the email change came back after re-authentication. */
const RESTORED_NOTICE = 'Your change is filled in below';
const SAVED_NOTICE = 'Your email address was changed';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

type StaleFlow = 'reauth-redirect' | 'reauth-json' | 'email';
const STALE_FLOWS: readonly StaleFlow[] = ['reauth-redirect', 'reauth-json', 'email'];

interface Settled {
  nav: Navigation;
  retries: number;
  /** The hosted pages of the emulator the user filled in. */
  prompts: HostedStep[];
  /** Every answer on the way, the hosted pages and the reloads included. */
  hops: BrowserResponse[];
}

interface FlowOutcome {
  ok: boolean;
  failure?: string;
  retries?: number;
  /** What the flow turned out to be, when not what it set out to be (no re-auth was needed). */
  kind?: FlowKind;
}

function pathOf(response: BrowserResponse): string {
  return new URL(response.url).pathname;
}

/**
 * A virtual user living a whole life against the instances: signs in through the hosted pages
 * (password, TOTP or SSO), uses guarded pages and the JSON API, goes stale when the clocks move,
 * re-authenticates by redirect and by the JSON 401, has an email change interrupted and restored,
 * confirms a deletion with a fresh sign-in (`max_age=0`), signs out; each step is checked, and
 * each identity shown to it must be its own.
 */
export class VirtualUser {
  readonly browser: VirtualBrowser;
  /** Sessions that ended without the user signing out: reported. */
  lostSessions = 0;
  /**
   * Two concurrent calls with one expired session cookie, on the two instances, where one was
   * answered 401 (and told to clear the cookie) while the other refreshed the session.
   */
  refreshRaces = 0;
  /** How many such pairs of concurrent calls the user made. */
  bursts = 0;
  /** Sign-ins and re-auths left out to stay under the library's sign-in limit. */
  budgetSkips = 0;
  private signedIn = false;
  /** The clocks' epoch of the last active sign-in: earlier than the current one means stale. */
  private authEpoch = -1;
  /** The epoch whose first step was taken: each stale period gets one stale flow. */
  private handledEpoch = 0;
  private readonly emails: Set<string>;
  private readonly signIns: number[] = [];
  private sequence = 0;
  private readonly planned: { signOut: number; delete: number };
  private readonly done = { signOut: false, delete: false };

  constructor(
    readonly user: SoakUser,
    private readonly world: SoakWorld,
    private readonly random: Random,
  ) {
    this.browser = new VirtualBrowser(
      user,
      world.network,
      world.clocks.requests,
      random.fork(1),
      world.observations,
      random.chance(0.5),
    );
    this.emails = new Set([user.email, user.id]);
    const last = Math.max(2, world.plannedEpochs - 1);
    const signOut = random.int(2, last);
    let remove = random.int(2, last);
    if (remove === signOut && last > 2) remove = signOut === last ? signOut - 1 : signOut + 1;
    this.planned = { signOut, delete: remove };
  }

  private get obs(): Observations {
    return this.world.observations;
  }

  private get epoch(): number {
    return this.world.clocks.epoch;
  }

  private get fresh(): boolean {
    return this.signedIn && this.authEpoch === this.epoch;
  }

  async live(): Promise<void> {
    await sleep(this.random.int(0, Math.round(this.world.warmUpMs / 2)));
    while (!this.world.stopping()) {
      await this.world.gate.enter();
      try {
        await this.step();
      } finally {
        this.world.gate.leave();
      }
      await sleep(Math.round(this.world.thinkMs * (0.5 + this.random.next())));
    }
  }

  private async step(): Promise<void> {
    if (!this.signedIn) {
      if (this.mayAuthenticate()) return this.run('sign-in', () => this.signIn());
      return this.run('guarded-page', () => this.page('/'));
    }
    if (this.authEpoch < this.epoch && this.handledEpoch < this.epoch) {
      this.handledEpoch = this.epoch;
      if (this.random.chance(0.3)) await this.run('json-api', () => this.burst());
      if (!this.signedIn) return;
      if (!this.done.delete && this.epoch >= this.planned.delete) {
        return this.run('max-age-0', () => this.deleteAccount(), '/account');
      }
      if (!this.done.signOut && this.epoch >= this.planned.signOut) {
        return this.run('sign-out', () => this.signOut(), '/account');
      }
      if (this.mayAuthenticate() && this.random.chance(0.85)) {
        // In turn, so that every user goes through each of them.
        switch (STALE_FLOWS[(this.epoch + this.user.index) % STALE_FLOWS.length]) {
          case 'reauth-redirect':
            return this.run('reauth-redirect', () => this.reauthByRedirect());
          case 'reauth-json':
            return this.run('reauth-json', () => this.reauthByJson(), '/spa');
          case 'email':
            return this.run('restored-action', () => this.interruptedEmailChange());
        }
      }
    }
    const fresh = this.fresh;
    const choice = this.random.weighted<'account' | 'security' | 'home' | 'me' | 'transfer'>([
      ['account', 3],
      ['security', fresh ? 2 : 0],
      ['home', 1],
      ['me', 3],
      ['transfer', fresh ? 2 : 0],
    ]);
    switch (choice) {
      case 'account':
        return this.run('guarded-page', () => this.page('/account'));
      case 'security':
        return this.run('guarded-page', () => this.page('/account/security'));
      case 'home':
        return this.run('guarded-page', () => this.page('/'));
      case 'me':
        return this.run('json-api', () => this.me());
      case 'transfer':
        return this.run('json-api', () => this.transfer(), '/spa');
    }
  }

  /**
   * Runs one flow, from the page `from` if given, and records it: its time, whether it worked, and
   * what the user saw if not. A dropped connection or a page the soak cannot read ends the flow as
   * failed, never the user.
   */
  private async run(
    kind: FlowKind,
    flow: () => Promise<FlowOutcome>,
    from?: string,
  ): Promise<void> {
    let start = this.obs.now();
    let outcome: FlowOutcome;
    try {
      // Getting to the page the flow starts from is not part of the flow.
      const unavailable = from === undefined ? undefined : await this.onPage(from);
      start = this.obs.now();
      outcome = unavailable ?? (await flow());
    } catch (error) {
      const transport = error instanceof TransportError;
      outcome = { ok: false, failure: transport ? 'no answer' : 'unreadable answer' };
      if (!transport) {
        this.obs.surprise(this.user.index, error instanceof Error ? error.message : String(error));
      }
      for (const attempt of this.obs.attempts) {
        if (attempt.user === this.user.index && attempt.outcome === 'pending') {
          settle(attempt, 'failed', outcome.failure);
        }
      }
    }
    this.obs.flow({
      kind: outcome.kind ?? kind,
      user: this.user.index,
      start,
      ms: this.obs.now() - start,
      ok: outcome.ok,
      failure: outcome.failure,
      retries: outcome.retries ?? 0,
    });
  }

  private mayAuthenticate(): boolean {
    const since = performance.now() - SIGN_IN_WINDOW_MS;
    while (this.signIns.length > 0 && this.signIns[0] < since) this.signIns.shift();
    if (this.signIns.length < SIGN_IN_BUDGET) return true;
    this.budgetSkips += 1;
    return false;
  }

  // --- The flows -------------------------------------------------------------------------------

  private async signIn(): Promise<FlowOutcome> {
    const start = await this.browser.navigate(
      this.browser.app('/auth/login?returnTo=%2Faccount'),
      true,
    );
    const { nav, retries } = await this.settle(start);
    const final = nav.final;
    if (this.isAppPage(final, '/account')) return { ok: true, retries };
    return { ok: false, failure: failureOf(final), retries };
  }

  /** A page of the app, signed in or not (a guarded page redirects to sign in when not). */
  private async page(path: string): Promise<FlowOutcome> {
    const nav = await this.browser.navigate(this.browser.app(path));
    const first = nav.hops[0];
    if (this.signedIn && path === '/account' && first.status === 302) this.sessionLost();
    const { nav: done, retries } = await this.settle(nav);
    if (done.final.target !== 'emulator' && done.final.status === 200) return { ok: true, retries };
    return { ok: false, failure: failureOf(done.final), retries };
  }

  /** `GET /api/me`: the JSON about the caller, which must be the caller. */
  private async me(): Promise<FlowOutcome> {
    const { response, retries } = await this.fetch('/api/me');
    if (response.status === 200) return { ok: true, retries };
    if (response.status === 401) this.sessionLost();
    return { ok: false, failure: failureOf(response), retries };
  }

  /**
   * Two calls of one page load at once, one to each instance, right after the clocks moved: both
   * find the session cookie expired and must refresh it, with a refresh token that works once.
   * Then one more call tells whether the session survived.
   */
  private async burst(): Promise<FlowOutcome> {
    const url = this.browser.app('/api/me');
    this.bursts += 1;
    const answers = await Promise.all(
      this.world.network.instancePorts.map((_, instance) => this.browser.fetch(url, { instance })),
    );
    for (const answer of answers) this.checkJson(answer);
    const refused = answers.filter((answer) => answer.status === 401);
    if (refused.length > 0 && refused.length < answers.length) this.refreshRaces += 1;
    const after = await this.fetch('/api/me');
    if (after.response.status === 401) this.sessionLost();
    const failed = answers.find((answer) => answer.status !== 200) ?? after.response;
    if (failed.status === 200) return { ok: true, retries: after.retries };
    return {
      ok: false,
      failure: `${failureOf(failed)}${failed === after.response ? '' : ' (one of two concurrent calls)'}`,
      retries: after.retries,
    };
  }

  /** A transfer while fresh: it must go through at once, and run once. */
  private async transfer(): Promise<FlowOutcome> {
    const to = this.nextValue('t');
    const attempt = this.obs.attempt({
      kind: 'transfer',
      user: this.user.index,
      userId: this.user.id,
      value: to,
      interrupted: false,
    });
    const { response, retries } = await this.fetch('/api/transfers', 'POST', this.transferBody(to));
    if (response.status === 201) {
      settle(attempt, 'completed');
      return { ok: true, retries };
    }
    settle(attempt, isClearFailure(response) ? 'failed' : 'lost', failureOf(response));
    return { ok: false, failure: failureOf(response), retries };
  }

  /** A sensitive page while stale: AuthKit asks again (`max_age=300`) and brings the user back. */
  private async reauthByRedirect(): Promise<FlowOutcome> {
    const nav = await this.browser.navigate(this.browser.app('/account/security'));
    const first = nav.hops[0];
    if (first.status === 302) this.expectAuthorize(first, '300');
    // Fresh after all (the user was caught by the clocks moving): a guarded page like any other.
    const kind = first.status === 200 ? 'guarded-page' : undefined;
    const { nav: done, retries } = await this.settle(nav);
    if (this.isAppPage(done.final, '/account/security')) return { ok: true, retries, kind };
    return { ok: false, failure: failureOf(done.final), retries, kind };
  }

  /**
   * A transfer from the single-page app while stale: the JSON 401 names `reauthUrl`; the app's
   * script goes there, the user confirms it's them, comes back to the app, and the script sends
   * the same transfer again. It must run exactly once.
   */
  private async reauthByJson(): Promise<FlowOutcome> {
    const to = this.nextValue('r');
    const attempt = this.obs.attempt({
      kind: 'transfer',
      user: this.user.index,
      userId: this.user.id,
      value: to,
      interrupted: true,
    });
    const body = this.transferBody(to);
    const first = await this.fetch('/api/transfers', 'POST', body);
    let retries = first.retries;
    const refusal = jsonBody(first.response);
    if (first.response.status === 201) {
      attempt.interrupted = false;
      settle(attempt, 'completed');
      return { ok: true, retries, kind: 'json-api' };
    }
    if (
      first.response.status !== 401 ||
      refusal?.error !== 'reauth_required' ||
      typeof refusal.reauthUrl !== 'string'
    ) {
      settle(
        attempt,
        isClearFailure(first.response) ? 'failed' : 'lost',
        failureOf(first.response),
      );
      return { ok: false, failure: failureOf(first.response), retries };
    }
    if (!/max_age="300"/.test(first.response.headers.get('www-authenticate') ?? '')) {
      this.obs.surprise(this.user.index, 'the JSON 401 came without its max_age challenge');
    }
    const nav = await this.browser.navigate(refusal.reauthUrl);
    const back = await this.settle(nav);
    retries += back.retries;
    if (!this.isAppPage(back.nav.final, '/spa')) {
      const failure = failureOf(back.nav.final);
      settle(attempt, isClearFailure(back.nav.final) ? 'failed' : 'lost', failure);
      return { ok: false, failure, retries };
    }
    const again = await this.fetch('/api/transfers', 'POST', body);
    retries += again.retries;
    if (again.response.status === 201) {
      settle(attempt, 'completed');
      return { ok: true, retries };
    }
    settle(attempt, isClearFailure(again.response) ? 'failed' : 'lost', failureOf(again.response));
    return { ok: false, failure: failureOf(again.response), retries };
  }

  /**
   * The email form, filled in on the security page while fresh and submitted once stale: the
   * user confirms it's them and comes back to the page with the new email filled in, saves it,
   * and the change is made once. Loading the page again must not bring the draft back.
   */
  private async interruptedEmailChange(): Promise<FlowOutcome> {
    const email = `${this.user.email.split('@')[0]}-${this.nextValue('e')}@changed.soak.example`;
    // The user's own from the moment it is typed: an instance may show it from then on.
    this.emails.add(email);
    const attempt = this.obs.attempt({
      kind: 'email',
      user: this.user.index,
      userId: this.user.id,
      value: email,
      interrupted: true,
    });
    const nav = await this.browser.post(
      this.browser.app('/account/email'),
      { email },
      this.browser.app('/account/security'),
    );
    const first = nav.hops[0];
    if (first.status === 303 && first.location?.startsWith(this.world.network.emulatorOrigin)) {
      this.expectAuthorize(first, '300');
    } else {
      attempt.interrupted = false;
    }
    const back = await this.settle(nav);
    const retries = back.retries;
    const page = back.nav.final;
    if (back.hops.some(isSaved)) {
      // Not stale after all (the user was caught by the clocks moving): saved at once.
      return { ...(await this.saved(attempt, back)), kind: 'guarded-page' };
    }
    if (!this.isAppPage(page, '/account/security')) {
      settle(attempt, isClearFailure(page) ? 'failed' : 'lost', failureOf(page));
      return { ok: false, failure: failureOf(page), retries };
    }
    const draft = inputValue(page.text, 'email-input');
    if (!this.showsDraft(page, email)) {
      if (draft && draft !== email) {
        this.obs.violation(
          'own-identity',
          `a restored email draft was not this user's`,
          this.user.index,
        );
      }
      settle(attempt, 'lost', 'back on the page without the email filled in');
      return { ok: false, failure: 'draft not restored', retries };
    }
    let save = await this.settle(await this.browser.submit('/account/email'));
    if (!save.hops.some(isSaved) && this.showsDraft(save.nav.final, email)) {
      // The clocks moved past the window between the restore and the save: the save asked for a
      // re-auth of its own and the draft came back filled in again. A person submits it again.
      const again = await this.settle(await this.browser.submit('/account/email'));
      save = { ...again, retries: save.retries + again.retries };
    }
    const outcome = await this.saved(attempt, save);
    return { ...outcome, retries: retries + save.retries };
  }

  /**
   * The save's answer says whether the change was made (the 303 to the "saved" page), whatever
   * happens to loading that page; then the page must say so.
   */
  private async saved(attempt: Attempt, save: Settled): Promise<FlowOutcome> {
    const page = save.nav.final;
    const retries = save.retries;
    if (!save.hops.some(isSaved)) {
      settle(attempt, isClearFailure(page) ? 'failed' : 'lost', failureOf(page));
      return { ok: false, failure: failureOf(page), retries };
    }
    settle(attempt, 'completed');
    if (!this.isAppPage(page, '/account/security') || !page.text.includes(SAVED_NOTICE)) {
      return { ok: false, failure: `saved, then ${failureOf(page)}`, retries };
    }
    // The draft is handed back once: the same page again (on either instance) comes without it.
    const again = await this.settle(
      await this.browser.navigate(this.browser.app('/account/security')),
    );
    if (again.nav.final.status === 200 && again.nav.final.text.includes(RESTORED_NOTICE)) {
      this.obs.violation(
        'actions-exactly-once',
        'a restored email draft was handed back twice',
        this.user.index,
      );
    }
    return { ok: true, retries };
  }

  /**
   * Deleting the account (`@RequireRecentAuth(0)`): confirmed on the page, then AuthKit asks for
   * a new sign-in whatever the session's age, the account page comes back with the last click,
   * and the deletion runs once, signing the user out. It must never ask twice in a row.
   */
  private async deleteAccount(): Promise<FlowOutcome> {
    this.done.delete = true;
    const attempt = this.obs.attempt({
      kind: 'delete',
      user: this.user.index,
      userId: this.user.id,
      value: this.nextValue('d'),
      interrupted: true,
    });
    const nav = await this.browser.submit('/account/delete', { confirm: 'DELETE' });
    const first = nav.hops[0];
    if (first.status === 200 && hasElement(first.text, 'deleted')) {
      this.obs.violation(
        'max-age-0',
        'an account was deleted without a new sign-in',
        this.user.index,
      );
    } else if (first.status === 303) {
      this.expectAuthorize(first, '0');
    }
    const back = await this.settle(nav);
    let retries = back.retries;
    const page = back.nav.final;
    if (!this.isAppPage(page, '/account')) {
      settle(attempt, isClearFailure(page) ? 'failed' : 'lost', failureOf(page));
      return { ok: false, failure: failureOf(page), retries };
    }
    if (!hasElement(page.text, 'delete-now')) {
      settle(attempt, 'lost', 'back on the account page without the confirmed deletion');
      return { ok: false, failure: 'deletion not restored', retries };
    }
    if (first.status === 303 && back.prompts.length === 0) {
      this.obs.violation(
        'max-age-0',
        'a deletion was confirmed after a redirect to AuthKit that asked nobody to sign in',
        this.user.index,
      );
    }
    const confirm = await this.browser.submit('/account/delete');
    if (confirm.hops[0].status === 303) {
      this.obs.violation(
        'max-age-0',
        'max_age=0 asked for a sign-in again right after one',
        this.user.index,
      );
    }
    const deleted = await this.settle(confirm);
    retries += deleted.retries;
    const result = deleted.nav.final;
    if (result.status === 200 && hasElement(result.text, 'deleted')) {
      settle(attempt, 'completed');
      this.signedIn = false;
      return { ok: true, retries };
    }
    settle(attempt, isClearFailure(result) ? 'failed' : 'lost', failureOf(result));
    return { ok: false, failure: failureOf(result), retries };
  }

  /** Signs out from a page of the app: the session ends here and at AuthKit. */
  private async signOut(): Promise<FlowOutcome> {
    this.done.signOut = true;
    const { nav, retries } = await this.settle(await this.browser.submit('/auth/logout'));
    const home = nav.final;
    if (this.isAppPage(home, '/') && hasElement(home.text, 'sign-in-main')) {
      return { ok: true, retries };
    }
    return { ok: false, failure: failureOf(home), retries };
  }

  // --- Helpers ---------------------------------------------------------------------------------

  /**
   * Takes a navigation to where the user ends up: through AuthKit's hosted pages (filled in as the
   * user would), and reloading after a 503 as a person would, for a while.
   */
  private async settle(start: Navigation): Promise<Settled> {
    let nav = start;
    let retries = 0;
    const prompts: HostedStep[] = [];
    const hops: BrowserResponse[] = [];
    let unavailableSince: number | undefined;
    for (;;) {
      hops.push(...nav.hops);
      this.noteCallbacks(nav);
      const final = nav.final;
      const step = final.target === 'emulator' && final.status === 200 && hostedStep(final.text);
      if (step) {
        prompts.push(step);
        nav = await this.hostedPage(step, final);
        continue;
      }
      if (isDocumented503(final)) {
        unavailableSince ??= this.obs.now();
        if (this.obs.now() - unavailableSince < RETRY_FOR_MS && !this.world.stopping()) {
          retries += 1;
          await sleep(retryPause(final));
          nav = await this.browser.reload();
          continue;
        }
      }
      this.observePage(final);
      return { nav, retries, prompts, hops };
    }
  }

  /** One of AuthKit's hosted pages, filled in as this user. */
  private hostedPage(step: HostedStep, page: BrowserResponse): Promise<Navigation> {
    switch (step) {
      case 'email': {
        const prefilled = inputValue(page.text, 'email');
        if (prefilled && prefilled !== this.user.email) {
          this.obs.violation(
            'own-identity',
            `AuthKit's sign-in page was prefilled with another user's email`,
            this.user.index,
          );
        }
        return this.browser.submit('/authorize/email', { email: this.user.email });
      }
      case 'password':
        return this.browser.submit('/authorize/password', { password: this.user.password ?? '' });
      case 'totp':
        return this.browser.submit('/authorize/totp', () => ({ code: this.totp() }));
      case 'sso':
        return this.browser.submit('/authorize/sso');
    }
  }

  private totp(): string {
    return new TOTP({
      secret: this.user.totpSecret ?? '',
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
    }).generate({ timestamp: this.world.emulator.now() * 1000 });
  }

  /** A JSON call from the current page, retried after a 503 as the browser helper would. */
  private async fetch(
    path: string,
    method = 'GET',
    json?: unknown,
  ): Promise<{ response: BrowserResponse; retries: number }> {
    let response = await this.browser.fetch(this.browser.app(path), { method, json });
    let retries = 0;
    const since = this.obs.now();
    while (
      isDocumented503(response) &&
      this.obs.now() - since < RETRY_FOR_MS &&
      !this.world.stopping()
    ) {
      retries += 1;
      await sleep(retryPause(response));
      response = (await this.browser.reload()).final;
    }
    this.checkJson(response);
    return { response, retries };
  }

  /**
   * Makes sure the user is on `path`, the page the next step is taken from; the failure, if the
   * page cannot be had.
   */
  private async onPage(path: string): Promise<FlowOutcome | undefined> {
    const page = this.browser.page;
    if (page && this.isAppPage(page, path)) return undefined;
    const { nav, retries } = await this.settle(await this.browser.navigate(this.browser.app(path)));
    if (this.isAppPage(nav.final, path)) return undefined;
    return { ok: false, failure: failureOf(nav.final), retries };
  }

  /** The security page with this email handed back as a draft to submit. */
  private showsDraft(page: BrowserResponse, email: string): boolean {
    return (
      this.isAppPage(page, '/account/security') &&
      page.text.includes(RESTORED_NOTICE) &&
      inputValue(page.text, 'email-input') === email
    );
  }

  private isAppPage(response: BrowserResponse, path: string): boolean {
    return response.target !== 'emulator' && response.status === 200 && pathOf(response) === path;
  }

  /** Every page must show this user, if anyone; and says whether someone is signed in. */
  private observePage(response: BrowserResponse): void {
    if (response.target === 'emulator' || response.status !== 200) return;
    const email = shownEmail(response.text);
    if (email !== undefined) this.obs.identityChecks += 1;
    if (email !== undefined && !this.emails.has(email)) {
      this.obs.violation(
        'own-identity',
        `${pathOf(response)} showed another identity (${email})`,
        this.user.index,
      );
    }
    if (hasElement(response.text, 'sign-out')) {
      this.signedIn = true;
    } else if (hasElement(response.text, 'sign-in')) {
      this.signedIn = false;
    }
  }

  /** `/api/me` must describe this user, in a session no other user was ever given. */
  private checkJson(response: BrowserResponse): void {
    if (response.status !== 200 || pathOf(response) !== '/api/me') return;
    const body = jsonBody(response);
    this.obs.identityChecks += 1;
    if (body?.userId !== this.user.id) {
      this.obs.violation(
        'own-identity',
        `/api/me answered for ${String(body?.userId)}`,
        this.user.index,
      );
    }
    const sessionId = body?.sessionId;
    if (typeof sessionId === 'string') {
      const owner = this.world.sessionOwners.get(sessionId);
      if (owner === undefined) this.world.sessionOwners.set(sessionId, this.user.index);
      else if (owner !== this.user.index) {
        this.obs.violation(
          'own-identity',
          `/api/me answered in user ${owner}'s session`,
          this.user.index,
        );
      }
    }
  }

  /** The redirect to AuthKit asks for the `max_age` the route needs. */
  private expectAuthorize(redirect: BrowserResponse, maxAge: string): void {
    const location = redirect.location ?? '';
    if (!location.startsWith(`${this.world.network.emulatorOrigin}/user_management/authorize?`)) {
      return;
    }
    const asked = new URL(location).searchParams.get('max_age');
    if (asked !== maxAge) {
      this.obs.surprise(this.user.index, `asked AuthKit for max_age=${asked}, expected ${maxAge}`);
    }
  }

  /**
   * Counts the sign-ins that reached the app's callback (for the budget); one that the callback
   * accepted (a 303 back into the app) makes the user signed in and fresh.
   */
  private noteCallbacks(nav: Navigation): void {
    for (const hop of nav.hops) {
      if (hop.target === 'emulator' || pathOf(hop) !== '/auth/callback') continue;
      this.signIns.push(performance.now());
      if (hop.status === 303) {
        this.signedIn = true;
        this.authEpoch = this.epoch;
      }
    }
  }

  private sessionLost(): void {
    this.lostSessions += 1;
    this.signedIn = false;
  }

  private nextValue(prefix: string): string {
    this.sequence += 1;
    return `u${this.user.index}-${prefix}${this.sequence}`;
  }

  private transferBody(to: string): { amount: number; to: string } {
    return { amount: this.random.int(1, 50_000) / 100, to };
  }
}

/** The email form's answer when the change was made. */
function isSaved(hop: BrowserResponse): boolean {
  return (
    hop.method === 'POST' &&
    hop.status === 303 &&
    (hop.location ?? '').endsWith('/account/security?saved=1')
  );
}

function settle(attempt: Attempt, outcome: Attempt['outcome'], detail?: string): void {
  attempt.outcome = outcome;
  attempt.detail = detail;
}

function retryPause(response: BrowserResponse): number {
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0
    ? Math.min(seconds * 1000, MAX_RETRY_PAUSE_MS)
    : MAX_RETRY_PAUSE_MS;
}
