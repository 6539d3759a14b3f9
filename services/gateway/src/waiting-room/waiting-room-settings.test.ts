import { describe, expect, it } from '@jest/globals';
import { WaitingRoomSettingsPatch } from './waiting-room-settings';

describe('WaitingRoomSettingsPatch: familyGraceSeconds', () => {
  it('takes whole seconds from 0 (the place goes at the booking) to an hour', () => {
    for (const ok of [0, 120, 3600]) {
      expect(WaitingRoomSettingsPatch.safeParse({ familyGraceSeconds: ok }).success).toBe(true);
    }
    for (const bad of [-1, 1.5, 3601, '120']) {
      expect(WaitingRoomSettingsPatch.safeParse({ familyGraceSeconds: bad }).success).toBe(false);
    }
  });
});
