--[[ rate_limit_refund: give back the slot a request was counted in.
keys:    KEYS[1] base
args:    now, client_ip, request_id, counted_at_ms
returns: {'ok', refunded}   refunded = '1' the first time, '0' on a repeat
errors:  BADARG on malformed arguments
The windows are those of counted_at (or of the time rate_limit recorded for the request).
]]
local function rate_limit_refund(keys, args)
  local b = keys[1]
  local now = int(args[1], 'now', 0)
  local ip = check_ip(args[2])
  local rid = check_rid(args[3])
  local at = int(args[4], 'counted_at_ms', 0)
  local counted = redis.call('GET', b .. 'rl:req:' .. rid)
  if counted then
    at = tonumber(counted)
  end
  if not redis.call('SET', b .. 'rl:refund:' .. rid, s(now), 'NX', 'PX', '172800000') then
    return {'ok', '0'}
  end
  local keys2 = {b .. 'rl:' .. ip .. ':h:' .. s(math.floor(at / 3600000)),
    b .. 'rl:' .. ip .. ':d:' .. s(math.floor(at / 86400000))}
  for _, k in ipairs(keys2) do
    if tonumber(redis.call('GET', k) or '0') > 0 then
      redis.call('DECR', k)
    end
  end
  return {'ok', '1'}
end
fn('rate_limit_refund', rate_limit_refund)
