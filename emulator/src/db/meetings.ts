// Meetings, their registrants and past instances (with participants).
import { AccountTables } from "./accounts.ts";

export interface Recurrence {
  type: 1 | 2 | 3;
  repeat_interval?: number;
  weekly_days?: string;
  monthly_day?: number;
  end_times?: number;
  end_date_time?: string;
}

export interface Meeting {
  id: number;
  uuid: string;
  hostId: string;
  accountId: string;
  topic: string;
  type: number;
  status: "waiting" | "started";
  startTime?: string;
  duration: number;
  timezone: string;
  agenda: string;
  createdAt: string;
  /** Last creation or start (emulator ms); a meeting unused for 365 days expires. */
  lastUsedAt?: number;
  password: string;
  encryptedPassword: string;
  registrationKey: string;
  settings: Record<string, unknown>;
  recurrence?: Recurrence;
  instances: number;
}

export interface Registrant {
  id: string;
  meetingId: number;
  email: string;
  firstName: string;
  lastName: string;
  status: "approved" | "pending" | "denied";
  createTime: string;
  joinToken: string;
}

export interface Participant {
  id: string;
  name: string;
  user_id: string;
  registrant_id: string;
  user_email: string;
  join_time: string;
  leave_time: string;
  duration: number;
  failover: boolean;
  status: "in_meeting";
  internal_user: boolean;
}

export interface Instance {
  uuid: string;
  meetingId: number;
  accountId: string;
  hostId: string;
  topic: string;
  type: number;
  startTime: string;
  endTime: string;
  duration: number;
  participants: Participant[];
  /** Until then (emulator ms) the participant report is still partial: only its first half is listed. */
  reportReadyAt?: number;
}

export class MeetingTables extends AccountTables {
  meeting(id: number): Meeting | undefined {
    return this.doc<Meeting>("meetings", "id", id);
  }

  liveMeeting(id: number): Meeting | undefined {
    const row = this.one<{ doc: string }>("SELECT doc FROM meetings WHERE id = ? AND deleted = 0", id);
    return row ? (JSON.parse(row.doc) as Meeting) : undefined;
  }

  meetingsOf(hostId: string): Meeting[] {
    return this.all<{ doc: string }>(
      "SELECT doc FROM meetings WHERE host_id = ? AND deleted = 0 ORDER BY rowid",
      hostId,
    ).map((r) => JSON.parse(r.doc));
  }

  putMeeting(m: Meeting, deleted = false): void {
    this.run(
      "INSERT INTO meetings (id, host_id, deleted, doc) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET host_id = excluded.host_id, deleted = excluded.deleted, doc = excluded.doc",
      m.id,
      m.hostId,
      deleted ? 1 : 0,
      JSON.stringify(m),
    );
  }

  registrant(id: string): Registrant | undefined {
    return this.doc<Registrant>("registrants", "id", id);
  }

  registrantsOf(meetingId: number): Registrant[] {
    return this.all<{ doc: string }>(
      "SELECT doc FROM registrants WHERE meeting_id = ? ORDER BY seq",
      meetingId,
    ).map((r) => JSON.parse(r.doc));
  }

  putRegistrant(r: Registrant): void {
    this.run(
      "INSERT INTO registrants (id, meeting_id, email, seq, doc) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
      r.id,
      r.meetingId,
      r.email.toLowerCase(),
      this.nextSeq(),
      JSON.stringify(r),
    );
  }

  instance(uuid: string): Instance | undefined {
    return this.doc<Instance>("instances", "uuid", uuid);
  }

  instancesOf(meetingId: number): Instance[] {
    return this.all<{ doc: string }>(
      "SELECT doc FROM instances WHERE meeting_id = ? ORDER BY seq",
      meetingId,
    ).map((r) => JSON.parse(r.doc));
  }

  putInstance(i: Instance): void {
    this.run(
      "INSERT INTO instances (uuid, meeting_id, seq, doc) VALUES (?, ?, ?, ?) ON CONFLICT (uuid) DO UPDATE SET doc = excluded.doc",
      i.uuid,
      i.meetingId,
      this.nextSeq(),
      JSON.stringify(i),
    );
  }
}
