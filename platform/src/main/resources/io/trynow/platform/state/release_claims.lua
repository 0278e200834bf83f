--[[ release_claims: a (re)started worker gives up every claim it held, so any worker can take them.
keys:    KEYS[1] base
args:    now, owner (the worker's id, as passed to claim_provision / claim_terminate)
returns: {'ok', {id...}}   provisioning / terminating instances whose unexpired lease was owner's:
                           lease_until = now (lapsed; the fence stays, so a write of the old
                           attempt still passes only until someone claims again)
errors:  BADARG on malformed arguments (an empty owner included)
Only the lease index is walked (claimed instances), never the keyspace.
]]
local function release_claims(keys, args)
  local b = keys[1]
  local now = int(args[1], 'now', 0)
  local owner = check_owner(args[2])
  if owner == '' then
    bad('owner must be set')
  end
  local released = {}
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', b .. 'leases', '(' .. s(now), '+inf')) do
    local ik = k_inst(b, id)
    local rec = load(ik)
    if rec and own_claim(rec, owner)
        and (rec.state == 'provisioning' or rec.state == 'terminating') then
      redis.call('HSET', ik, 'lease_until', s(now))
      redis.call('ZADD', b .. 'leases', s(now), id)
      touch(b, id)
      released[#released + 1] = id
    end
  end
  return {'ok', released}
end
fn('release_claims', release_claims)
