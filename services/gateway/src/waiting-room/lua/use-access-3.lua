--[[
  use-access-3: spend one booking of an access grant, or hand the grant back.

  KEYS[1] room    hash: settings (familyGraceSeconds), counters
  KEYS[2] access  sorted set: queue number -> access expiry (ms), claimed and active
  KEYS[3] grants  hash: queue number -> bookings used

  ARGV[1] queue number
  ARGV[2] most bookings one grant allows
  ARGV[3] 'use' (spend one booking) | 'release' (the resident is done)
  ARGV[4] the access token's own expiry (ms): a grace never reaches past it
  ARGV[5] family grace (s) when the room hash has no familyGraceSeconds

  A booking spent keeps the active place only for the family grace (the next family member's
  booking), not for the rest of the token's life: expiry = min(token expiry, now + grace),
  re-armed by each further booking. A place that lapses after its grace is dropped by the
  admission step (admit-7) and counted finished; one freed here is counted finished at once.

  Returns { code, used, extra }
    1 OK (used = bookings spent so far; extra: after 'use' the place's expiry in ms, 0 when
      this booking freed it; after 'release' 1 when this call freed a live place, else 0)
    2 EXPIRED (no live grant for this number)
    3 EXHAUSTED (every booking of the grant is spent)
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = ARGV[1]
local expires = redis.call('ZSCORE', KEYS[2], n)
local used = tonumber(redis.call('HGET', KEYS[3], n) or '0')
local live = expires and tonumber(expires) >= now

local function free(counter)
  redis.call('ZREM', KEYS[2], n)
  redis.call('HINCRBY', KEYS[1], 'finishedTotal', 1)
  if counter then redis.call('HINCRBY', KEYS[1], counter, 1) end
end

if ARGV[3] == 'release' then
  -- Idempotent; a place already lapsed is left for the admission step to count.
  if not live then return { 1, used, 0 } end
  free('releasedTotal')
  return { 1, used, 1 }
end
local max = tonumber(ARGV[2])
if used >= max then return { 3, used, 0 } end
if not live then return { 2, used, 0 } end
used = redis.call('HINCRBY', KEYS[3], n, 1)
if used >= max then
  free(nil)
  return { 1, used, 0 }
end
local grace = tonumber(redis.call('HGET', KEYS[1], 'familyGraceSeconds') or ARGV[5])
local until_ = math.min(tonumber(ARGV[4]), now + grace * 1000)
if until_ <= now then
  free(nil)
  return { 1, used, 0 }
end
redis.call('ZADD', KEYS[2], 'XX', until_, n)
return { 1, used, until_ }
