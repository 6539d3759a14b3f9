--[[
  claim-place-2: count one person against an organisation's cap in a campaign, atomically,
  so two uploads of one organisation at once cannot pass the cap between them.

  KEYS[1] organisation  hash: name, cap (set by ops)
  KEYS[2] people        set: citizen hashes the organisation has booked (or holds standby for)

  ARGV[1] the person's citizen hash

  Returns 1 counted now, 2 already counted (a re-upload: nothing new),
  3 cap reached (not counted), 4 the organisation has no cap in this campaign.
]]
local cap = redis.call('HGET', KEYS[1], 'cap')
if not cap then return 4 end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return 2 end
if redis.call('SCARD', KEYS[2]) >= tonumber(cap) then return 3 end
redis.call('SADD', KEYS[2], ARGV[1])
return 1
