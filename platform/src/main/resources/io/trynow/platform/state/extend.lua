--[[ extend: push an assigned instance's expiry, never past its max lifetime.
keys:    KEYS[1] base
args:    now, id, owner_token_hash, by_ms
returns: {'extended', capped, instance}   expires_at = min(max(expires_at, now) + by,
                                          max_expires_at); capped = '1' when cut to the cap
         {'past_max', max_expires_at}     already at the cap; nothing written
         {'bad_token'} | {'wrong_state', state} | {'not_found'}
errors:  BADARG on malformed arguments
Check and write in one call: concurrent extends can never pass the cap (a check and its write are one transition).
]]
local function extend(keys, args)
  local b = keys[1]
  local now = int(args[1], 'now', 0)
  local id = check_id(args[2])
  local token = check_token(args[3])
  local by = int(args[4], 'by_ms', 1)
  local ik = k_inst(b, id)
  local rec = load(ik)
  if not rec then
    return {'not_found'}
  end
  if rec.owner_token_hash ~= token then
    return {'bad_token'}
  end
  if rec.state ~= 'assigned' then
    return {'wrong_state', rec.state}
  end
  local exp = numf(rec, 'expires_at')
  local max = numf(rec, 'max_expires_at')
  if exp >= max then
    return {'past_max', rec.max_expires_at}
  end
  local base = exp
  if now > base then
    base = now
  end
  local new = base + by
  local capped = '0'
  if new > max then
    new = max
    capped = '1'
  end
  redis.call('HSET', ik, 'expires_at', s(new))
  redis.call('ZADD', b .. 'expiry', s(new), id)
  touch(b, id)
  return {'extended', capped, redis.call('HGETALL', ik)}
end
fn('extend', extend)
