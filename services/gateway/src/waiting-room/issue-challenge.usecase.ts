import { newChallenge, POW_ALGORITHM } from './proof-of-work';
import type { RoomCache } from './room-cache';

export interface Challenge {
  challenge: string;
  difficulty: number;
  algorithm: typeof POW_ALGORITHM;
  expiresInSeconds: number;
}

export interface IssueChallengeCommand {
  campaignId: string;
}

/** `GET /api/campaigns/:campaignId/queue/challenge`: a single-use proof-of-work challenge. */
export class IssueChallenge {
  constructor(private readonly rooms: RoomCache) {}

  async execute({ campaignId }: IssueChallengeCommand): Promise<Challenge> {
    const view = await this.rooms.view(campaignId);
    const difficulty = view.powDifficulty;
    const challenge = newChallenge(difficulty);
    const ttl = this.rooms.options.challengeTtlSeconds;
    await this.rooms.redis.set(this.rooms.keys(campaignId).challenge(challenge), difficulty, 'EX', ttl);
    return { challenge, difficulty, algorithm: POW_ALGORITHM, expiresInSeconds: ttl };
  }
}
