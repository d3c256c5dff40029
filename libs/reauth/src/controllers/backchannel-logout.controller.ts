import { Controller, Post, Res } from '@nestjs/common';
import { ProviderSignals } from '../authentication/provider-signals';
import { HttpResponses } from '../http/http-responses';
import { NO_STORE_HEADERS } from '../http/problem-page';
import { ProviderSignalSettings } from '../options/reauth-settings';

/**
 * `POST <routes.backchannelLogout>`: OpenID Connect Back-Channel Logout tokens from the provider.
 */
@Controller()
export class BackchannelLogoutController {
  constructor(
    protected readonly signals: ProviderSignals,
    protected readonly settings: ProviderSignalSettings,
    protected readonly responses: HttpResponses,
  ) {}

  @Post()
  receive(@Res() response: unknown): void {
    this.responses.setHeaders(response, NO_STORE_HEADERS);
    this.responses.json(response, 404, { error: 'not_found' });
  }
}
