--[[
  join-5: give a new ticket its place in the waiting room, atomically.

  KEYS[1] room       hash: settings, counters, flags of the campaign's waiting room
  KEYS[2] numbers    hash: queue number -> ticket id
  KEYS[3] pre        list: ticket ids that joined before opening (shuffled at opening)
  KEYS[4] seen       sorted set: queue number -> last time the ticket asked (ms)
  KEYS[5] challenge  string: the proof-of-work challenge being spent ('' key name when none)

  ARGV[1] ticket id
  ARGV[2] difficulty the challenge was issued (and solved) at; -1 when no challenge was sent;
          -2 for a partner app joining for its user (its credentials and rate limit replace the proof)

  Returns { code, queueNumber, extra }
    code 1 PREQUEUE  (queueNumber 0, extra = pre-queue length)
    code 2 WAITING   (queueNumber = the new number)
    code 3 FINAL     (extra = 'sold_out' | 'closed'; nobody joins any more)
    code 4 CHALLENGE_INVALID (missing, already spent, expired, or easier than the current setting)
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local r = redis.call('HMGET', KEYS[1], 'opensAt', 'opened', 'final', 'powDifficulty', 'next')
if r[3] then return { 3, 0, r[3] } end

local required = tonumber(r[4] or '0')
local solvedAt = tonumber(ARGV[2])
if solvedAt >= 0 then
  -- Spend the challenge whatever the setting is now: single use.
  local spent = redis.call('DEL', KEYS[5])
  if spent == 0 or solvedAt < required then return { 4, 0, '' } end
elseif required > 0 and solvedAt ~= -2 then
  return { 4, 0, '' }
end

if r[2] ~= '1' and not r[5] and now < tonumber(r[1] or '0') then
  redis.call('RPUSH', KEYS[3], ARGV[1])
  redis.call('HINCRBY', KEYS[1], 'joins', 1)
  return { 1, 0, tostring(redis.call('LLEN', KEYS[3])) }
end

-- Open (or opening, shuffle not yet run): FIFO numbers start after the pre-queue.
if not r[5] then redis.call('HSET', KEYS[1], 'next', redis.call('LLEN', KEYS[3])) end
local n = redis.call('HINCRBY', KEYS[1], 'next', 1)
redis.call('HSET', KEYS[2], n, ARGV[1])
redis.call('ZADD', KEYS[4], now, n)
redis.call('HINCRBY', KEYS[1], 'joins', 1)
return { 2, n, '' }
