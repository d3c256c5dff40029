import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';

export interface Transfer {
  id: string;
  amount: number;
  to: string;
  status: 'completed';
  createdAt: string;
}

interface AccountState {
  email?: string;
  deleted: boolean;
  transfers: Transfer[];
}

/** The demo's pretend back office: per-user changes, kept in memory. */
@Injectable()
export class AccountsService {
  private readonly accounts = new Map<string, AccountState>();

  private state(userId: string): AccountState {
    let state = this.accounts.get(userId);
    if (!state) {
      state = { deleted: false, transfers: [] };
      this.accounts.set(userId, state);
    }
    return state;
  }

  emailOf(userId: string, signedInEmail: string | undefined): string | undefined {
    return this.accounts.get(userId)?.email ?? signedInEmail;
  }

  changeEmail(userId: string, email: string): void {
    this.state(userId).email = email;
  }

  isDeleted(userId: string): boolean {
    return this.accounts.get(userId)?.deleted ?? false;
  }

  delete(userId: string): void {
    this.state(userId).deleted = true;
  }

  transfer(userId: string, amount: number, to: string, at: Date): Transfer {
    const transfer: Transfer = {
      id: randomUUID(),
      amount,
      to,
      status: 'completed',
      createdAt: at.toISOString(),
    };
    this.state(userId).transfers.push(transfer);
    return transfer;
  }

  transfers(userId: string): readonly Transfer[] {
    return this.accounts.get(userId)?.transfers ?? [];
  }
}
