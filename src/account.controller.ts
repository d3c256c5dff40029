import {
  AuthClaims,
  CurrentAuthentication,
  ReauthClock,
  ReauthService,
  RequireRecentAuth,
  RequireSignIn,
  type Authentication,
  type AuthKitClaims,
} from 'nest-workos-reauth';
import { Body, Controller, Get, Header, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { isEmail } from 'class-validator';
import type { Request, Response } from 'express';
import { AccountsService } from './accounts.service';
import { viewerOf } from './viewer';
import { accountPage, deletedPage, SENSITIVE_MAX_AGE, securityPage } from './views/pages';

interface EmailForm {
  email?: unknown;
}

interface DeleteForm {
  confirm?: unknown;
}

const CANCELLED = 'You cancelled confirming it’s you. Nothing was changed.';

/** What the email form held, to put back after re-authentication. */
function emailDraft(request: { body?: unknown }): { email: string } {
  const email = (request.body as EmailForm | undefined)?.email;
  return { email: typeof email === 'string' ? email.slice(0, 320) : '' };
}

/** Whether the deletion form was confirmed, to continue after re-authentication. */
function deleteConfirmation(request: { body?: unknown }): { confirm: boolean } {
  return { confirm: (request.body as DeleteForm | undefined)?.confirm === 'DELETE' };
}

@Controller('account')
export class AccountController {
  constructor(
    private readonly reauth: ReauthService,
    private readonly accounts: AccountsService,
    private readonly clock: ReauthClock,
  ) {}

  private now(): number {
    return this.clock.nowSeconds();
  }

  @Get()
  @RequireSignIn()
  @Header('Content-Type', 'text/html; charset=utf-8')
  async account(
    @CurrentAuthentication() authentication: Authentication,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @Query('reauth') marker: unknown,
  ): Promise<string> {
    const restored = await this.reauth.takeRestoredAction<{ confirm?: boolean }>(request, response);
    return accountPage({
      viewer: viewerOf(authentication, this.accounts),
      now: this.now(),
      confirmedDelete: restored?.confirm === true,
      message: marker === 'cancelled' ? CANCELLED : undefined,
    });
  }

  @Get('security')
  @RequireRecentAuth(SENSITIVE_MAX_AGE)
  @Header('Content-Type', 'text/html; charset=utf-8')
  async security(
    @CurrentAuthentication() authentication: Authentication,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
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

  @Post('email')
  @RequireRecentAuth(SENSITIVE_MAX_AGE, { action: emailDraft })
  changeEmail(
    @Body() body: EmailForm,
    @CurrentAuthentication() authentication: Authentication,
    @Res() response: Response,
  ): void {
    const email = typeof body?.email === 'string' ? body.email.trim() : '';
    if (!isEmail(email) || email.length > 320) {
      response
        .status(400)
        .type('html')
        .send(
          securityPage({
            viewer: viewerOf(authentication, this.accounts),
            now: this.now(),
            draftEmail: email,
            restored: false,
            saved: false,
            error: 'That is not an email address.',
          }),
        );
      return;
    }
    this.accounts.changeEmail(authentication.claims.sub, email);
    response.redirect(303, '/account/security?saved=1');
  }

  @Post('delete')
  @RequireRecentAuth(0, { action: deleteConfirmation })
  @HttpCode(200)
  @Header('Content-Type', 'text/html; charset=utf-8')
  async remove(
    @Body() body: DeleteForm,
    @AuthClaims() claims: AuthKitClaims,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string> {
    if (body?.confirm !== 'DELETE') {
      response.status(400);
      return accountPage({
        viewer: { userId: claims.sub, authTime: claims.auth_time },
        now: this.now(),
        confirmedDelete: false,
        message: 'Type DELETE to confirm.',
      });
    }
    this.accounts.delete(claims.sub);
    await this.reauth.endSession(request, response);
    return deletedPage();
  }
}
