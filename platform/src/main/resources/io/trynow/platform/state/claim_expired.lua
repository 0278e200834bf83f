--[[ claim_expired: assigned instances whose expiry has passed -> terminating, claimed.
keys:    KEYS[1] base
args:    now, max, lease_ms
returns: {'ok', {instance...}}   at most max, oldest expiry first; each with fence + 1 and
                                 lease_until = now + lease, for the caller to tear down
errors:  BADARG on malformed arguments
]]
local function claim_expired(keys, args)
  local b = keys[1]
  local now = int(args[1], 'now', 0)
  local max = int(args[2], 'max', 1)
  local lease = int(args[3], 'lease_ms', 1)
  local out = {}
  local ids = redis.call('ZRANGEBYSCORE', b .. 'expiry', '-inf', s(now), 'LIMIT', '0', s(max))
  for _, id in ipairs(ids) do
    local ik = k_inst(b, id)
    local rec = load(ik)
    if rec and rec.state == 'assigned' and numf(rec, 'expires_at') <= now then
      drop_ip(b, rec)
      move(b, id, rec, 'terminating')
      redis.call('HINCRBY', ik, 'fence', 1)
      redis.call('HSET', ik, 'lease_until', s(now + lease), 'ended_at', s(now))
      redis.call('ZADD', b .. 'leases', s(now + lease), id)
      touch(b, id)
      out[#out + 1] = redis.call('HGETALL', ik)
    end
    -- only assigned ids belong in the expiry index
    redis.call('ZREM', b .. 'expiry', id)
  end
  return {'ok', out}
end
fn('claim_expired', claim_expired)
