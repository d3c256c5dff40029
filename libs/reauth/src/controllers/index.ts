export { CallbackQueryDto } from './callback-query.dto';
export { ReauthCallbackController } from './reauth-callback.controller';
export { ReauthLoginController } from './reauth-login.controller';
export { ReauthLogoutController } from './reauth-logout.controller';
