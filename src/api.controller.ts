import {
  AuthClaims,
  CurrentAuthentication,
  ReauthClock,
  RequireRecentAuth,
  RequireSignIn,
  type Authentication,
  type AuthKitClaims,
} from 'nest-workos-reauth';
import { Body, Controller, Get, Post, UseGuards, ValidationPipe } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsNumber, IsString, Length, Max, Min } from 'class-validator';
import { AccountsService, type Transfer } from './accounts.service';
import { ActivityLog } from './activity.service';
import { JsonOnlyGuard } from './json-only.guard';

/** The summary the user confirms a payment by: what the dialog and the provider show. */
export function paymentSummary({ amount, payee }: Record<string, string | number | boolean>) {
  return `Transfer ${amount} EUR to ${payee}`;
}

export class CreatePaymentDto {
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 })
  @Min(0.01)
  @Max(1_000_000)
  amount!: number;

  @IsString()
  @Length(1, 64)
  payee!: string;
}

export class CreateTransferDto {
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 })
  @Min(0.01)
  @Max(1_000_000)
  amount!: number;

  @IsString()
  @Length(1, 64)
  to!: string;
}

@Controller('api')
export class ApiController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly clock: ReauthClock,
    private readonly activity: ActivityLog,
  ) {}

  /** The signed-in user's own step-up history, newest first. */
  @Get('activity')
  @RequireSignIn()
  activityLog(@AuthClaims('sub') userId: string) {
    return { activity: this.activity.of(userId) };
  }

  @Get('me')
  @RequireSignIn()
  me(@CurrentAuthentication() authentication: Authentication) {
    // AuthKit's claims; on another provider the AuthKit-only ones are simply absent.
    const claims = authentication.claims as AuthKitClaims;
    return {
      userId: claims.sub,
      sessionId: authentication.sessionId,
      organizationId: claims.org_id,
      role: claims.role,
      permissions: claims.permissions,
      authTime: claims.auth_time,
      transfers: this.accounts.transfers(claims.sub).length,
    };
  }

  @Post('transfers')
  @RequireRecentAuth('sensitive')
  @UseGuards(JsonOnlyGuard)
  transfer(
    @AuthClaims('sub') userId: string,
    @Body(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }))
    dto: CreateTransferDto,
  ): Transfer {
    return this.accounts.transfer(userId, dto.amount, dto.to, new Date(this.clock.now()));
  }

  /**
   * "Send money": every payment is confirmed on its own, and the confirmation is good for this
   * amount and payee only, once. Another amount or payee asks again.
   */
  @Post('payments')
  @RequireRecentAuth(0, { bind: { fields: ['amount', 'payee'], summary: paymentSummary } })
  @UseGuards(JsonOnlyGuard)
  pay(
    @AuthClaims('sub') userId: string,
    @Body(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }))
    dto: CreatePaymentDto,
  ): Transfer {
    return this.accounts.transfer(userId, dto.amount, dto.payee, new Date(this.clock.now()));
  }
}
