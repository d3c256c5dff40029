import { UseGuards } from '@nestjs/common';
import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { RecentAuthGatewayGuard, RequireRecentAuth, RequireSignIn } from 'nest-workos-reauth';

/** The channel names the page may send: short words, nothing else. */
const CHANNEL = /^[a-z0-9-]{1,32}$/;

/**
 * The chat console's socket.io gateway (on the demo's own HTTP server): listing channels needs a
 * sign-in; deleting one needs a sign-in within 5 minutes, checked on that very message. Messages
 * over 16 KiB close the connection before any handler runs.
 */
@UseGuards(RecentAuthGatewayGuard)
@WebSocketGateway({ maxHttpBufferSize: 16 * 1024 })
export class ChatGateway {
  private readonly channels = new Set(['general', 'random', 'announcements']);

  @RequireSignIn()
  @SubscribeMessage('channels')
  list(): { channels: string[] } {
    return { channels: [...this.channels] };
  }

  @RequireRecentAuth(300)
  @SubscribeMessage('delete-channel')
  delete(@MessageBody() channel: unknown): { deleted: string } | { error: string } {
    if (typeof channel !== 'string' || !CHANNEL.test(channel) || !this.channels.has(channel)) {
      return { error: 'no_such_channel' };
    }
    this.channels.delete(channel);
    return { deleted: channel };
  }
}
