--[[ sse_close: give an event stream's slot back when the stream ends.
keys:    KEYS[1] base (sse:all, sse:ip:<ip>: see sse_open)
args:    now, lease_id, client_ip
returns: {'ok', '1'|'0'}   '0': it was not held (lapsed, or closed already)
errors:  BADARG on malformed arguments
]]
local function sse_close(keys, args)
  local b = keys[1]
  int(args[1], 'now', 0)
  local lease_id = check_lease(args[2])
  local ip = check_ip(args[3])
  local removed = redis.call('ZREM', b .. 'sse:all', lease_id)
  redis.call('ZREM', k_sse_ip(b, ip), lease_id)
  return {'ok', s(removed)}
end
fn('sse_close', sse_close)
