--[[
  status-9: where is this ticket now? One O(1)/O(log N) step per poll; the first poll after
  admission claims the place (turns it into an access grant).

  KEYS[1] room         hash: settings, counters, flags
  KEYS[2] numbers      hash: queue number -> ticket id
  KEYS[3] pre-numbers  hash: ticket id -> queue number (pre-queue tickets)
  KEYS[4] seen         sorted set: queue number -> last seen (ms), waiting tickets only
  KEYS[5] unclaimed    sorted set: queue number -> claim deadline (ms), admitted not yet claimed
  KEYS[6] access       sorted set: queue number -> access expiry (ms), claimed and active
  KEYS[7] grants       hash: queue number -> bookings used (every place ever claimed)
  KEYS[8] skipped      set: queue numbers passed over while their ticket was away
  KEYS[9] rate         hash: minute (epoch) -> admissions in that minute

  ARGV[1] ticket id
  ARGV[2] queue number signed into the ticket (0 for a pre-queue ticket)
  ARGV[3] access token lifetime (ms)

  Returns { code, queueNumber, serving, extra }
    1 PREQUEUE  2 WAITING  3 ADMITTED (extra = access expiry ms, as string)
    4 EXPIRED   5 FINAL (extra = 'sold_out' | 'closed')
    6 UNKNOWN (no such ticket in this room)  7 TAMPERED (signed number is not this ticket's)
    8 RETURNING (passed over while away; admitted as soon as an active place frees)
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local tid = ARGV[1]
local n = tonumber(ARGV[2])
local r = redis.call('HMGET', KEYS[1], 'serving', 'opened', 'final', 'maxActive')
local serving = tonumber(r[1] or '0')

if n == 0 then
  local assigned = redis.call('HGET', KEYS[3], tid)
  if not assigned then
    if r[2] == '1' then return { 6, 0, serving, '' } end
    if r[3] then return { 5, 0, serving, r[3] } end
    return { 1, 0, serving, '' }
  end
  n = tonumber(assigned)
else
  local owner = redis.call('HGET', KEYS[2], n)
  if not owner then return { 6, n, serving, '' } end
  if owner ~= tid then return { 7, n, serving, '' } end
end

if r[3] then return { 5, n, serving, r[3] } end

if n > serving then
  redis.call('ZADD', KEYS[4], 'XX', now, n)
  return { 2, n, serving, '' }
end

local expires = redis.call('ZSCORE', KEYS[6], n)
if expires then
  if tonumber(expires) > now then return { 3, n, serving, expires } end
  return { 4, n, serving, '' }
end
if redis.call('HEXISTS', KEYS[7], n) == 1 then return { 4, n, serving, '' } end

local function grant()
  local until_ = now + tonumber(ARGV[3])
  redis.call('ZADD', KEYS[6], until_, n)
  redis.call('HSET', KEYS[7], n, 0)
  return { 3, n, serving, tostring(until_) }
end

local deadline = redis.call('ZSCORE', KEYS[5], n)
if deadline then
  redis.call('ZREM', KEYS[5], n)
  if tonumber(deadline) >= now then return grant() end
  redis.call('HINCRBY', KEYS[1], 'expiredUnclaimed', 1)
  return { 4, n, serving, '' }
end

if redis.call('SISMEMBER', KEYS[8], n) == 1 then
  -- Passed over while away, back now: in as soon as the active cap allows, ahead of the line.
  local active = redis.call('ZCARD', KEYS[5]) + redis.call('ZCARD', KEYS[6])
  if active < tonumber(r[4] or '0') then
    redis.call('SREM', KEYS[8], n)
    redis.call('HINCRBY', KEYS[9], math.floor(now / 60000), 1)
    redis.call('HINCRBY', KEYS[1], 'admittedTotal', 1)
    redis.call('HINCRBY', KEYS[1], 'returnedTotal', 1)
    return grant()
  end
  return { 8, n, serving, '' }
end
return { 4, n, serving, '' }
