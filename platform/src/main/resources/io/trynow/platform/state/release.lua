--[[ release: the owner gives an assigned instance back: assigned -> terminating (unclaimed).
keys:    KEYS[1] base
args:    now, id, owner_token_hash
returns: {'ok', repeat, instance}   terminating, out of the expiry index, fence + 1 (any older
                                    claim is void), lease_until = 0 until claim_terminate
         {'bad_token'} | {'wrong_state', state} | {'not_found'}
errors:  BADARG on malformed arguments
A repeat by the owner (terminating or terminated) returns repeat = '1'.
]]
local function release(keys, args)
  local b = keys[1]
  local now = int(args[1], 'now', 0)
  local id = check_id(args[2])
  local token = check_token(args[3])
  local ik = k_inst(b, id)
  local rec = load(ik)
  if not rec then
    return {'not_found'}
  end
  if rec.owner_token_hash ~= token then
    return {'bad_token'}
  end
  if rec.state == 'terminating' or rec.state == 'terminated' then
    return reply(b, id, 'ok', true)
  end
  if rec.state ~= 'assigned' then
    return {'wrong_state', rec.state}
  end
  drop_ip(b, rec)
  move(b, id, rec, 'terminating')
  redis.call('HINCRBY', ik, 'fence', 1)
  redis.call('HSET', ik, 'lease_until', '0', 'ended_at', s(now))
  redis.call('ZREM', b .. 'expiry', id)
  touch(b, id)
  return reply(b, id, 'ok', false)
end
fn('release', release)
