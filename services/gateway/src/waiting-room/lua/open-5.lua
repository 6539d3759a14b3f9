--[[
  open-5: at opening, give the pre-queue its numbers 1..N in a random order, exactly once.
  The permutation is drawn in Node with node:crypto (Lua's math.random is not cryptographic);
  this script only commits it, atomically, and refuses a second commit.

  KEYS[1] room         hash: settings, counters, flags
  KEYS[2] pre          list: ticket ids that joined before opening, in arrival order
  KEYS[3] numbers      hash: queue number -> ticket id
  KEYS[4] pre-numbers  hash: ticket id -> queue number (pre-queue tickets carry no number)
  KEYS[5] seen         sorted set: queue number -> last seen (ms)

  ARGV[1] N, the pre-queue length the permutation was drawn for
  ARGV[2..N+1] the queue number for the i-th ticket of the pre list (a permutation of 1..N)

  Returns { code, value }
    code 1 OPENED   (value = N)
    code 2 ALREADY  (opened before; nothing changed)
    code 3 NOT_YET  (opening time not reached)
    code 4 RETRY    (value = the actual pre-queue length; draw again for that length)
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local r = redis.call('HMGET', KEYS[1], 'opened', 'opensAt', 'next')
if r[1] == '1' then return { 2, 0 } end
if not r[3] and now < tonumber(r[2] or '0') then return { 3, 0 } end

local n = tonumber(ARGV[1])
local len = redis.call('LLEN', KEYS[2])
if len ~= n then return { 4, len } end

local tickets = redis.call('LRANGE', KEYS[2], 0, -1)
local chunk = 1000
for from = 1, n, chunk do
  local numbers, preNumbers, seen = {}, {}, {}
  for i = from, math.min(from + chunk - 1, n) do
    local number = ARGV[i + 1]
    numbers[#numbers + 1] = number
    numbers[#numbers + 1] = tickets[i]
    preNumbers[#preNumbers + 1] = tickets[i]
    preNumbers[#preNumbers + 1] = number
    seen[#seen + 1] = now
    seen[#seen + 1] = number
  end
  redis.call('HSET', KEYS[3], unpack(numbers))
  redis.call('HSET', KEYS[4], unpack(preNumbers))
  redis.call('ZADD', KEYS[5], unpack(seen))
end

if not r[3] then redis.call('HSET', KEYS[1], 'next', n) end
redis.call('HSET', KEYS[1], 'opened', '1', 'openedAt', now, 'prequeued', n)
redis.call('DEL', KEYS[2])
return { 1, n }
