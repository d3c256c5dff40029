import {
  AuthClaims,
  CurrentAuthentication,
  ReauthClock,
  ReauthService,
  RequireRecentAuth,
  RequireSignIn,
  type Authentication,
  type AuthKitClaims,
  type ReauthRequest,
} from 'nest-workos-reauth';
import { Body, Controller, Get, Header, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { isEmail } from 'class-validator';
import { AccountsService } from './accounts.service';
import { ActivityLog } from './activity.service';
import { AuthKitSessions } from './authkit-sessions';
import { viewerOf } from './viewer';
import { accountPage, activityPage, deletedPage, passkeysPage, securityPage } from './views/pages';

interface EmailForm {
  email?: unknown;
}

interface DeleteForm {
  confirm?: unknown;
}

const CANCELLED = 'You cancelled confirming it’s you. Nothing was changed.';

/** Whether a request sent a JSON body: the page's script does, the plain HTML form never can. */
function sentJson(request: ReauthRequest): boolean {
  const type = request.headers['content-type'];
  return typeof type === 'string' && /^application\/json\s*(;|$)/i.test(type);
}

/** What the email form held, to put back after re-authentication. */
function emailDraft(request: { body?: unknown }): { email: string } {
  const email = (request.body as EmailForm | undefined)?.email;
  return { email: typeof email === 'string' ? email.slice(0, 320) : '' };
}

/** Whether the deletion form was confirmed, to continue after re-authentication. */
function deleteConfirmation(request: { body?: unknown }): { confirm: boolean } {
  return { confirm: (request.body as DeleteForm | undefined)?.confirm === 'DELETE' };
}

/**
 * The account pages. `response` is Express's `Response` or Fastify's `Reply`, whichever platform
 * the demo runs on: what the handlers write to it goes through Nest's HTTP adapter.
 */
@Controller('account')
export class AccountController {
  constructor(
    private readonly reauth: ReauthService,
    private readonly accounts: AccountsService,
    private readonly clock: ReauthClock,
    private readonly adapterHost: HttpAdapterHost,
    private readonly activity: ActivityLog,
    private readonly sessions: AuthKitSessions,
  ) {}

  private now(): number {
    return this.clock.nowSeconds();
  }

  @Get()
  @RequireSignIn()
  @Header('Content-Type', 'text/html; charset=utf-8')
  async account(
    @CurrentAuthentication() authentication: Authentication,
    @Req() request: ReauthRequest,
    @Res({ passthrough: true }) response: unknown,
    @Query('reauth') marker: unknown,
  ): Promise<string> {
    const restored = await this.reauth.takeRestoredAction<{ confirm?: boolean }>(request, response);
    return accountPage({
      viewer: viewerOf(authentication, this.accounts),
      now: this.now(),
      confirmedDelete: restored?.confirm === true,
      sessionEnds: this.sessions,
      message: marker === 'cancelled' ? CANCELLED : undefined,
    });
  }

  /** The user's own step-up history, from the library's events. */
  @Get('activity')
  @RequireSignIn()
  @Header('Content-Type', 'text/html; charset=utf-8')
  activityLog(@AuthClaims('sub') userId: string): string {
    return activityPage(this.activity.of(userId));
  }

  /** The user's passkeys; the page's script lists and changes them through the library's routes. */
  @Get('passkeys')
  @RequireSignIn()
  @Header('Content-Type', 'text/html; charset=utf-8')
  passkeys(@CurrentAuthentication() authentication: Authentication): string {
    return passkeysPage(viewerOf(authentication, this.accounts));
  }

  @Get('security')
  @RequireRecentAuth()
  @Header('Content-Type', 'text/html; charset=utf-8')
  async security(
    @CurrentAuthentication() authentication: Authentication,
    @Req() request: ReauthRequest,
    @Res({ passthrough: true }) response: unknown,
    @Query('saved') saved: unknown,
  ): Promise<string> {
    const draft = await this.reauth.takeRestoredAction<{ email?: string }>(request, response);
    return securityPage({
      viewer: viewerOf(authentication, this.accounts),
      now: this.now(),
      draftEmail: draft?.email,
      restored: draft !== undefined,
      saved: saved === '1',
    });
  }

  /**
   * The security page's form: posted as a form (it works without JavaScript, re-authenticating by
   * redirect and restoring what was typed), or as JSON by the page's script, which confirms a
   * stale sign-in in the page and gets a JSON answer.
   */
  @Post('email')
  @RequireRecentAuth('sensitive', { action: emailDraft })
  changeEmail(
    @Body() body: EmailForm,
    @CurrentAuthentication() authentication: Authentication,
    @Req() request: ReauthRequest,
    @Res() response: unknown,
  ): void {
    const http = this.adapterHost.httpAdapter;
    const email = typeof body?.email === 'string' ? body.email.trim() : '';
    const valid = isEmail(email) && email.length <= 320;
    if (sentJson(request)) {
      if (valid) this.accounts.changeEmail(authentication.claims.sub, email);
      http.reply(
        response,
        valid
          ? { email }
          : { statusCode: 400, error: 'invalid_email', message: 'That is not an email address.' },
        valid ? 200 : 400,
      );
      return;
    }
    if (!valid) {
      http.setHeader(response, 'Content-Type', 'text/html; charset=utf-8');
      http.reply(
        response,
        securityPage({
          viewer: viewerOf(authentication, this.accounts),
          now: this.now(),
          draftEmail: email,
          restored: false,
          saved: false,
          error: 'That is not an email address.',
        }),
        400,
      );
      return;
    }
    this.accounts.changeEmail(authentication.claims.sub, email);
    http.redirect(response, 303, '/account/security?saved=1');
  }

  @Post('delete')
  @RequireRecentAuth(0, { action: deleteConfirmation })
  @HttpCode(200)
  @Header('Content-Type', 'text/html; charset=utf-8')
  async remove(
    @Body() body: DeleteForm,
    @AuthClaims() claims: AuthKitClaims,
    @Req() request: ReauthRequest,
    @Res({ passthrough: true }) response: unknown,
  ): Promise<string> {
    if (body?.confirm !== 'DELETE') {
      this.adapterHost.httpAdapter.status(response, 400);
      return accountPage({
        viewer: { userId: claims.sub, authTime: claims.auth_time },
        now: this.now(),
        confirmedDelete: false,
        sessionEnds: this.sessions,
        message: 'Type DELETE to confirm.',
      });
    }
    this.accounts.delete(claims.sub);
    await this.reauth.endSession(request, response);
    return deletedPage();
  }
}
