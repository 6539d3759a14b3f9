--[[
  view-6: a read-only picture of one waiting room, for the public state endpoint, the ETA
  and the ops stats. Called once per admission tick per replica, never per request.

  KEYS[1] room       hash: settings, counters, flags
  KEYS[2] pre        list: pre-queue ticket ids (before opening)
  KEYS[3] seen       sorted set: queue number -> last seen (ms), waiting tickets only
  KEYS[4] unclaimed  sorted set: queue number -> claim deadline (ms)
  KEYS[5] access     sorted set: queue number -> access expiry (ms)
  KEYS[6] rate       hash: minute (epoch) -> admissions in that minute

  ARGV[1] abandon-after (ms)
  ARGV[2] minutes of admission history to return

  Returns a JSON object: every field of the room hash, plus now, prequeue, waitingSeen,
  waitingAway, unclaimed, inForm, and rate (admissions per minute, newest minute first).
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local view = {}
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do view[fields[i]] = fields[i + 1] end
view.now = now
view.prequeue = redis.call('LLEN', KEYS[2])
view.waitingSeen = redis.call('ZCARD', KEYS[3])
view.waitingAway = redis.call('ZCOUNT', KEYS[3], '-inf', '(' .. (now - tonumber(ARGV[1])))
view.unclaimed = redis.call('ZCOUNT', KEYS[4], now, '+inf')
view.inForm = redis.call('ZCOUNT', KEYS[5], now, '+inf')
local minute = math.floor(now / 60000)
local rate = {}
for i = 0, tonumber(ARGV[2]) - 1 do
  rate[#rate + 1] = tonumber(redis.call('HGET', KEYS[6], minute - i) or '0')
end
view.rate = rate
return cjson.encode(view)
