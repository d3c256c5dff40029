export { RecentAuthGatewayGuard } from './gateway.guard';
export {
  rememberUpgradeRequests,
  handshakeOf,
  type ConnectingWebSocketAdapter,
} from './socket-handshake';
export {
  SocketReconnectRequired,
  SocketRefusals,
  type SocketRefusalPayload,
} from './socket-refusals';
export { SocketReauthController, SOCKET_REAUTH_PATH } from './socket-reauth.controller';
