--[[ renew_lease: extend the caller's claim (heartbeat during long work).
keys:    KEYS[1] base
args:    now, id, fence, lease_ms
returns: {'ok', '0', instance}   lease_until = now + lease
         {'stale_fence', current} | {'wrong_state', state} | {'not_found'}
errors:  BADARG on malformed arguments
Only a claimed provisioning or terminating instance has a lease.
]]
local function renew_lease(keys, args)
  local b = keys[1]
  local now = int(args[1], 'now', 0)
  local id = check_id(args[2])
  local fence = int(args[3], 'fence', 1)
  local lease = int(args[4], 'lease_ms', 1)
  local ik = k_inst(b, id)
  local rec = load(ik)
  if not rec then
    return {'not_found'}
  end
  if rec.state ~= 'provisioning' and rec.state ~= 'terminating' then
    return {'wrong_state', rec.state}
  end
  if numf(rec, 'fence') ~= fence or numf(rec, 'lease_until') == 0 then
    return {'stale_fence', rec.fence}
  end
  redis.call('HSET', ik, 'lease_until', s(now + lease))
  redis.call('ZADD', b .. 'leases', s(now + lease), id)
  touch(b, id)
  return reply(b, id, 'ok', false)
end
fn('renew_lease', renew_lease)
