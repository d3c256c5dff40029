import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import {
  ReauthService,
  RequireRecentAuth,
  RequireSignIn,
  type ReauthRequest,
} from 'nest-workos-reauth';

/** How often each bound handler ran: a refused request must never reach one. */
export const handlerCalls = { transfer: 0, broken: 0, invoice: 0 };

/** The grant key of {@link PaymentRoutes.transfer}: `<controller path>:Controller.handler`. */
export const TRANSFER_ROUTE = 'payments:PaymentRoutes.transfer';

/** The grant key of {@link PaymentRoutes.invoice}, whose reference is bound but not summarised. */
export const INVOICE_ROUTE = 'payments:PaymentRoutes.invoice';

/** A transfer confirmed for one amount and payee only, and the form page it returns to. */
@Controller('payments')
export class PaymentRoutes {
  constructor(private readonly reauth: ReauthService) {}

  @Post('transfer')
  @RequireRecentAuth(0, {
    bind: {
      fields: ['amount', 'payee'],
      summary: ({ amount, payee }) => `Transfer ${amount} EUR to ${payee}`,
    },
  })
  transfer(@Body() body: { amount: unknown; payee: unknown }) {
    handlerCalls.transfer++;
    return { done: true, amount: body.amount, payee: body.payee };
  }

  @Post('broken')
  @RequireRecentAuth(0, {
    bind: {
      fields: ['amount'],
      summary: () => {
        throw new Error('no words for this');
      },
    },
  })
  broken() {
    handlerCalls.broken++;
    return { done: true };
  }

  @Post('invoice')
  @RequireRecentAuth(0, {
    bind: { fields: ['amount', 'reference'], summary: ({ amount }) => `Pay ${amount} EUR` },
  })
  invoice() {
    handlerCalls.invoice++;
    return { done: true };
  }

  @Get('form')
  @RequireSignIn()
  async form(@Req() request: ReauthRequest, @Res({ passthrough: true }) response: unknown) {
    return { restored: (await this.reauth.takeRestoredAction(request, response)) ?? null };
  }
}
