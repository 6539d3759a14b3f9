import { newChallenge, POW_ALGORITHM } from './proof-of-work';
import type { WaitingRooms } from './waiting-rooms';

export interface Challenge {
  challenge: string;
  difficulty: number;
  algorithm: typeof POW_ALGORITHM;
  expiresInSeconds: number;
}

/** `GET /api/campaigns/:campaignId/queue/challenge`: a single-use proof-of-work challenge. */
export class IssueChallenge {
  constructor(private readonly rooms: WaitingRooms) {}

  async execute(campaignId: string): Promise<Challenge> {
    const view = await this.rooms.view(campaignId);
    const difficulty = view.powDifficulty;
    const challenge = newChallenge(difficulty);
    const ttl = this.rooms.options.challengeTtlSeconds;
    await this.rooms.redis.set(this.rooms.keys(campaignId).challenge(challenge), difficulty, 'EX', ttl);
    return { challenge, difficulty, algorithm: POW_ALGORITHM, expiresInSeconds: ttl };
  }
}
