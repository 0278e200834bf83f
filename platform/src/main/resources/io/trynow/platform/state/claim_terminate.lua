--[[ claim_terminate: claim a terminating instance for teardown.
keys:    KEYS[1] base
args:    now, id, lease_ms, owner (optional: the claiming worker's id, kept as claimed_by)
returns: {'claimed', instance}   fence + 1, lease_until = now + lease (an unclaimed one, one
                                 whose lease ended, or one whose lease is the caller's own)
         {'busy', lease_until} | {'wrong_state', state} | {'not_found'}
errors:  BADARG on malformed arguments
]]
local function claim_terminate(keys, args)
  local b = keys[1]
  local now = int(args[1], 'now', 0)
  local id = check_id(args[2])
  local lease = int(args[3], 'lease_ms', 1)
  local owner = check_owner(args[4])
  local ik = k_inst(b, id)
  local rec = load(ik)
  if not rec then
    return {'not_found'}
  end
  if rec.state ~= 'terminating' then
    return {'wrong_state', rec.state}
  end
  if numf(rec, 'lease_until') > now and not own_claim(rec, owner) then
    return {'busy', rec.lease_until}
  end
  redis.call('HINCRBY', ik, 'fence', 1)
  redis.call('HSET', ik, 'lease_until', s(now + lease), 'claimed_by', owner)
  redis.call('ZADD', b .. 'leases', s(now + lease), id)
  touch(b, id)
  return {'claimed', redis.call('HGETALL', ik)}
end
fn('claim_terminate', claim_terminate)
