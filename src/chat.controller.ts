import { RequireSignIn } from 'nest-workos-reauth';
import { Controller, Get, Header } from '@nestjs/common';
import { chatPage } from './views/chat-page';

@Controller()
export class ChatController {
  @Get('chat')
  @RequireSignIn()
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(): string {
    return chatPage();
  }
}
