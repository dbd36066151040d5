// Zoom accounts, their users, OAuth clients and authorization codes.
import { Store } from "./store.ts";

export type UserType = 1 | 2;
export type UserStatus = "active" | "inactive" | "pending";

export interface Account {
  id: string;
  name: string;
  ownerId: string;
  accountNumber: number;
  planType: string;
  seats: number;
  /** Bytes of an additional cloud recording storage plan (Zoom's `plan_storage`; "0" without one). */
  storageBytes: number;
  /** Bytes of storage that come with the licenses (Zoom's `free_storage`, e.g. a plain Pro account). */
  freeStorageBytes?: number;
  /** Storage used by recordings the emulator does not model (the seeded "some usage"). */
  baseUsageBytes: number;
  /** The account's admin disabled the app in Zoom's Marketplace: refreshes answer 4738. */
  appDisabled?: boolean;
}

export interface UserSettings {
  schedule_meeting: Record<string, unknown>;
  in_meeting: Record<string, unknown>;
  recording: Record<string, unknown>;
  email_notification: Record<string, unknown>;
  feature: Record<string, unknown>;
}

export interface User {
  id: string;
  accountId: string;
  email: string;
  firstName: string;
  lastName: string;
  type: UserType;
  status: UserStatus;
  role: "Owner" | "Admin" | "Member";
  pmi: number;
  timezone: string;
  dept: string;
  createdAt: string;
  settings: UserSettings;
}

export interface Client {
  clientId: string;
  clientSecret: string;
  name: string;
  redirectUris: string[];
  scopes: string[];
  /** Zoom's approval for `custCreate` users (granted on request to ISVs); refused without it. */
  custCreate?: boolean;
}

export interface AuthCode {
  code: string;
  clientId: string;
  redirectUri: string;
  userId: string;
  accountId: string;
  scopes: string[];
  codeChallenge?: string;
  expiresAt: number;
  used: boolean;
}

export interface TokenRow {
  token: string;
  kind: "access" | "refresh" | "download";
  grant_id: string;
  account_id: string;
  user_id: string;
  client_id: string;
  scopes: string;
  expires_at: number;
  revoked: number;
  used: number;
}

export class AccountTables extends Store {
  account(id: string): Account | undefined {
    return this.doc<Account>("accounts", "id", id);
  }

  accounts(): Account[] {
    return this.all<{ doc: string }>("SELECT doc FROM accounts ORDER BY rowid").map((r) => JSON.parse(r.doc));
  }

  putAccount(a: Account): void {
    this.run(
      "INSERT INTO accounts (id, doc) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
      a.id,
      JSON.stringify(a),
    );
  }

  user(id: string): User | undefined {
    return this.doc<User>("users", "id", id);
  }

  userByEmail(email: string): User | undefined {
    return this.doc<User>("users", "lower(email)", email.toLowerCase());
  }

  usersOf(accountId: string): User[] {
    return this.all<{ doc: string }>(
      "SELECT doc FROM users WHERE account_id = ? ORDER BY seq",
      accountId,
    ).map((r) => JSON.parse(r.doc));
  }

  putUser(u: User): void {
    const existing = this.one<{ seq: number }>("SELECT seq FROM users WHERE id = ?", u.id);
    this.run(
      "INSERT INTO users (id, account_id, email, seq, doc) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET account_id = excluded.account_id, email = excluded.email, doc = excluded.doc",
      u.id,
      u.accountId,
      u.email,
      existing?.seq ?? this.nextSeq(),
      JSON.stringify(u),
    );
  }

  deleteUser(id: string): void {
    this.run("DELETE FROM users WHERE id = ?", id);
  }

  client(clientId: string): Client | undefined {
    return this.doc<Client>("clients", "client_id", clientId);
  }

  clients(): Client[] {
    return this.all<{ doc: string }>("SELECT doc FROM clients").map((r) => JSON.parse(r.doc));
  }

  putClient(c: Client): void {
    this.run(
      "INSERT INTO clients (client_id, doc) VALUES (?, ?) ON CONFLICT (client_id) DO UPDATE SET doc = excluded.doc",
      c.clientId,
      JSON.stringify(c),
    );
  }

  code(code: string): AuthCode | undefined {
    return this.doc<AuthCode>("codes", "code", code);
  }

  putCode(c: AuthCode): void {
    this.run(
      "INSERT INTO codes (code, doc) VALUES (?, ?) ON CONFLICT (code) DO UPDATE SET doc = excluded.doc",
      c.code,
      JSON.stringify(c),
    );
  }
}
