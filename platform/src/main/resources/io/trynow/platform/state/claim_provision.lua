--[[ claim_provision: take a requested instance for provisioning, with a lease and a fence.
keys:    KEYS[1] base
args:    now, id, lease_ms, retention_ms (of a tombstone, see below; default 24 h),
         owner (optional: the claiming worker's id, kept as claimed_by)
returns: {'claimed', instance}       requested -> provisioning, or a provisioning instance whose
                                     lease ended is taken over, or one whose unexpired lease is
                                     the caller's own (claimed_by = owner: the same worker after a
                                     failed attempt or a restart); fence + 1 (an earlier attempt
                                     of the same worker is void too), lease_until = now+lease
         {'busy', lease_until}       provisioning under another worker's unexpired lease
         {'wrong_state', state} | {'not_found'}
         {'wrong_state', 'failed', 'circuit'}   a requested instance of a template whose
                                     circuit is open (or half-open, and it is not the probe) is
                                     failed here instead of provisioned: no container is tried
errors:  BADARG on malformed arguments
The fence (fencing token) goes with every later write of the claimant; a write with an older
fence is rejected, so a worker whose lease ran out cannot overwrite its successor's work.
]]
local function claim_provision(keys, args)
  local b = keys[1]
  local now = int(args[1], 'now', 0)
  local id = check_id(args[2])
  local lease = int(args[3], 'lease_ms', 1)
  local retention = int(args[4] or '86400000', 'retention_ms', 1)
  local owner = check_owner(args[5])
  local ik = k_inst(b, id)
  local rec = load(ik)
  if not rec then
    return {'not_found'}
  end
  if rec.state == 'provisioning' and numf(rec, 'lease_until') > now
      and not own_claim(rec, owner) then
    return {'busy', rec.lease_until}
  end
  if rec.state ~= 'requested' and rec.state ~= 'provisioning' then
    return {'wrong_state', rec.state}
  end
  if rec.state == 'requested' then
    local c = circuit(b, rec.template)
    if c.state == 'open' or (c.state == 'half_open' and c.probe ~= id) then
      local why = 'template unavailable (circuit ' .. c.state .. '): ' .. (c.last_error or '')
      fail(b, id, rec, now, string.sub(why, 1, 500), retention)
      return {'wrong_state', 'failed', 'circuit'}
    end
    move(b, id, rec, 'provisioning')
  end
  redis.call('HINCRBY', ik, 'fence', 1)
  redis.call('HSET', ik, 'lease_until', s(now + lease), 'claimed_by', owner)
  redis.call('ZADD', b .. 'leases', s(now + lease), id)
  touch(b, id)
  return {'claimed', redis.call('HGETALL', ik)}
end
fn('claim_provision', claim_provision)
