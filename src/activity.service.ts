import type { ReauthEvent } from 'nest-workos-reauth';
import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';

/** One line of a user's step-up history. */
export interface ActivityEntry {
  type: ReauthEvent['type'];
  /** ISO time, on the library's clock. */
  time: string;
  /** What the user was doing, in words (the guarded handler, when there is one). */
  action?: string;
  /** Why a step-up was asked for, or why it did not complete. */
  reason?: string;
  maxAge?: number;
}

/** Entries kept per user, and users kept: a demo's memory stays bounded whoever signs in. */
const ENTRIES_PER_USER = 50;
const USERS = 10_000;

/** The demo's guarded handlers, as the events name them, in words. */
const ACTIONS: Record<string, string> = {
  'account:AccountController.account': 'Open your account',
  'account:AccountController.activityLog': 'Open sign-in activity',
  'account:AccountController.security': 'Open security settings',
  'account:AccountController.changeEmail': 'Change email',
  'account:AccountController.remove': 'Delete account',
  'api:ApiController.me': 'Read your profile',
  'api:ApiController.activityLog': 'Read sign-in activity',
  'api:ApiController.transfer': 'Make a transfer',
  'api:ApiController.pay': 'Send money',
  ':SpaController.spa': 'Open the single-page app',
};

/**
 * Each user's own step-up history, built from the library's events through
 * `@nestjs/event-emitter` and kept in this instance's memory. Only events that name a user are
 * kept, and only identifiers, times and reasons: the events carry nothing secret.
 */
@Injectable()
export class ActivityLog {
  private readonly byUser = new Map<string, ActivityEntry[]>();

  @OnEvent('reauth.*')
  @OnEvent('session.*')
  record(event: ReauthEvent): void {
    if (event.userId === undefined) return;
    const entry: ActivityEntry = { type: event.type, time: event.time.toISOString() };
    if (event.route !== undefined)
      entry.action = ACTIONS[event.route.replace(/#.*$/, '')] ?? event.route;
    if ('reason' in event) entry.reason = event.reason;
    if (event.type === 'session.revoked') entry.reason = event.cause;
    if ('maxAge' in event && event.maxAge !== undefined) entry.maxAge = event.maxAge;

    let entries = this.byUser.get(event.userId);
    if (entries) {
      this.byUser.delete(event.userId); // Re-inserted below: most recently active last.
    } else {
      entries = [];
      if (this.byUser.size >= USERS) {
        this.byUser.delete(this.byUser.keys().next().value!);
      }
    }
    entries.push(entry);
    if (entries.length > ENTRIES_PER_USER) entries.shift();
    this.byUser.set(event.userId, entries);
  }

  /** The user's history, newest first. */
  of(userId: string): readonly ActivityEntry[] {
    return [...(this.byUser.get(userId) ?? [])].reverse();
  }
}
