--[[
  use-access-3: spend one booking of an access grant, or hand the grant back.

  KEYS[1] room    hash: counters
  KEYS[2] access  sorted set: queue number -> access expiry (ms), claimed and active
  KEYS[3] grants  hash: queue number -> bookings used

  ARGV[1] queue number
  ARGV[2] most bookings one grant allows
  ARGV[3] 'use' (spend one booking) | 'release' (the resident is done)

  Returns { code, used }
    1 OK (used = bookings spent so far; the active place is freed when the last one is spent)
    2 EXPIRED (no live grant for this number)
    3 EXHAUSTED (every booking of the grant is spent)
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = ARGV[1]
local expires = redis.call('ZSCORE', KEYS[2], n)
local used = tonumber(redis.call('HGET', KEYS[3], n) or '0')
if ARGV[3] == 'release' then
  if expires then
    redis.call('ZREM', KEYS[2], n)
    redis.call('HINCRBY', KEYS[1], 'finishedTotal', 1)
  end
  return { 1, used }
end
local max = tonumber(ARGV[2])
if used >= max then return { 3, used } end
if not expires or tonumber(expires) < now then return { 2, used } end
used = redis.call('HINCRBY', KEYS[3], n, 1)
if used >= max then
  redis.call('ZREM', KEYS[2], n)
  redis.call('HINCRBY', KEYS[1], 'finishedTotal', 1)
end
return { 1, used }
