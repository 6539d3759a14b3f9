--[[
  admit-7: one admission step. Any number of gateway replicas may call it at any rate: the
  budget comes from the time elapsed since the previous step (Redis' own clock), so the sum
  over all callers never exceeds outflowPerMinute, and the active cap is checked inside the
  same atomic step.

  KEYS[1] room       hash: settings, counters, flags
  KEYS[2] seen       sorted set: queue number -> last seen (ms), waiting tickets only
  KEYS[3] unclaimed  sorted set: queue number -> claim deadline (ms)
  KEYS[4] access     sorted set: queue number -> access expiry (ms)
  KEYS[5] skipped    set: queue numbers passed over while their ticket was away
  KEYS[6] rate       hash: minute (epoch) -> admissions in that minute
  KEYS[7] grants     hash: queue number -> bookings used

  ARGV[1] claim window (ms): how long an admitted place waits for its ticket to ask
  ARGV[2] abandon-after (ms): a waiting ticket not seen for this long is away
  ARGV[3] most places passed over per step (bounds the script's run time)
  ARGV[4] longest elapsed time one step may spend (ms): a stalled loop does not bank a burst

  Sets room.idleAt while nobody waits or admission is paused, so the observed rate (the
  ETA) only covers time when people were waiting to get in.

  An `access` entry that lapses is counted `expiredAccess` when no booking was made with it,
  else finished (`finishedTotal`, `graceLapsedTotal`): the resident booked and left, and the
  family grace (use-access-3) ran out.

  Returns { admitted, skipped, expiredUnclaimed, expiredAccess, serving, finishedAfterGrace }
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local expiredU = redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. now)
if expiredU > 0 then redis.call('HINCRBY', KEYS[1], 'expiredUnclaimed', expiredU) end
-- Lapsed places: a few per step (each lapses once), so reading their grants stays cheap.
local lapsed = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', '(' .. now)
local expiredA, finished = 0, 0
for _, m in ipairs(lapsed) do
  if tonumber(redis.call('HGET', KEYS[7], m) or '0') > 0 then
    finished = finished + 1
  else
    expiredA = expiredA + 1
  end
end
if #lapsed > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', '(' .. now) end
if expiredA > 0 then redis.call('HINCRBY', KEYS[1], 'expiredAccess', expiredA) end
if finished > 0 then
  redis.call('HINCRBY', KEYS[1], 'finishedTotal', finished)
  redis.call('HINCRBY', KEYS[1], 'graceLapsedTotal', finished)
end

local r = redis.call('HMGET', KEYS[1], 'outflowPerMinute', 'maxActive', 'paused', 'opened', 'final',
  'serving', 'next', 'carry', 'admitAt')
local serving = tonumber(r[6] or '0')
if r[4] ~= '1' or r[5] or r[3] == '1' then
  -- Closed, paused or not open yet: no budget accrues.
  redis.call('HSET', KEYS[1], 'admitAt', now, 'carry', 0, 'idleAt', now)
  return { 0, 0, expiredU, expiredA, serving, finished }
end

local elapsed = 0
if r[9] then elapsed = math.max(0, math.min(now - tonumber(r[9]), tonumber(ARGV[4]))) end
local budget = tonumber(r[8] or '0') + tonumber(r[1] or '0') * elapsed / 60000
local whole = math.floor(budget)
local room = tonumber(r[2] or '0') - redis.call('ZCARD', KEYS[3]) - redis.call('ZCARD', KEYS[4])
local allowed = math.max(0, math.min(whole, room))
local last = tonumber(r[7] or '0')
local awayBefore = now - tonumber(ARGV[2])
local maxSkip = tonumber(ARGV[3])
local deadline = now + tonumber(ARGV[1])

local admitted, skipped = 0, 0
while serving < last do
  local m = serving + 1
  local seen = redis.call('ZSCORE', KEYS[2], m)
  if seen and tonumber(seen) < awayBefore then
    if skipped >= maxSkip then break end
    redis.call('SADD', KEYS[5], m)
    skipped = skipped + 1
  elseif admitted < allowed then
    redis.call('ZADD', KEYS[3], deadline, m)
    admitted = admitted + 1
  else
    break
  end
  redis.call('ZREM', KEYS[2], m)
  serving = m
end

local minute = math.floor(now / 60000)
if admitted > 0 then
  redis.call('HINCRBY', KEYS[6], minute, admitted)
  redis.call('HINCRBY', KEYS[1], 'admittedTotal', admitted)
end
if skipped > 0 then redis.call('HINCRBY', KEYS[1], 'skippedTotal', skipped) end
redis.call('HDEL', KEYS[6], minute - 16)
-- Fractions carry over; whole places not usable now (cap reached, queue empty) do not bank.
redis.call('HSET', KEYS[1], 'serving', serving, 'carry', budget - whole, 'admitAt', now)
-- The observed admission rate (ETA) only counts time when people were waiting to get in.
if serving >= last then redis.call('HSET', KEYS[1], 'idleAt', now) end
return { admitted, skipped, expiredU, expiredA, serving, finished }
