import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from '@khiw/redis';

/** Return codes of the Lua steps (see the header of each script in ./lua). */
export enum JoinCode {
  Prequeue = 1,
  Waiting = 2,
  Final = 3,
  ChallengeInvalid = 4,
}
export enum OpenCode {
  Opened = 1,
  Already = 2,
  NotYet = 3,
  Retry = 4,
}
export enum StatusCode {
  Prequeue = 1,
  Waiting = 2,
  Admitted = 3,
  Expired = 4,
  Final = 5,
  Unknown = 6,
  Tampered = 7,
  Returning = 8,
}
export enum UseAccessCode {
  Ok = 1,
  Expired = 2,
  Exhausted = 3,
}

type Reply = (string | number)[];

/** The waiting room's commands, as ioredis defines them (EVALSHA, loaded on first use). */
export interface WaitingRoomCommands {
  wrJoin(...args: (string | number)[]): Promise<Reply>;
  wrOpen(...args: (string | number)[]): Promise<Reply>;
  wrStatus(...args: (string | number)[]): Promise<Reply>;
  wrAdmit(...args: (string | number)[]): Promise<Reply>;
  wrView(...args: (string | number)[]): Promise<string>;
  wrUseAccess(...args: (string | number)[]): Promise<Reply>;
}
export type WaitingRoomRedis = Redis & WaitingRoomCommands;

const SCRIPTS: Record<keyof WaitingRoomCommands, string> = {
  wrJoin: 'join-5.lua',
  wrOpen: 'open-5.lua',
  wrStatus: 'status-9.lua',
  wrAdmit: 'admit-7.lua',
  wrView: 'view-6.lua',
  wrUseAccess: 'use-access-3.lua',
};

const loaded = new WeakSet<Redis>();

/** Defines the commands on a client once; the file name's `-<n>` is the number of keys. */
export function withWaitingRoomCommands(redis: Redis): WaitingRoomRedis {
  if (!loaded.has(redis)) {
    for (const [name, file] of Object.entries(SCRIPTS)) {
      const numberOfKeys = Number(/-(\d+)\.lua$/.exec(file)?.[1]);
      const lua = readFileSync(path.join(__dirname, 'lua', file), 'utf8');
      redis.defineCommand(name, { numberOfKeys, lua });
    }
    loaded.add(redis);
  }
  return redis as WaitingRoomRedis;
}
