--[[ sse_renew: renew the leases of the event streams still open in one gateway replica.
keys:    KEYS[1] base (sse:all, sse:ip:<ip>: see sse_open)
args:    now, lease_ms, lease_id_1, client_ip_1, lease_id_2, client_ip_2, ...
returns: {'ok', renewed}   lease_until = now + lease_ms for each; a lapsed lease of a stream that
                           is still open is taken again
errors:  BADARG on malformed arguments (nothing renewed)
]]
local function sse_renew(keys, args)
  local b = keys[1]
  local now = int(args[1], 'now', 0)
  local lease = int(args[2], 'lease_ms', 1)
  if #args % 2 ~= 0 then
    bad('lease ids and ips must come in pairs')
  end
  for i = 3, #args, 2 do
    check_lease(args[i])
    check_ip(args[i + 1])
  end
  local n = 0
  for i = 3, #args, 2 do
    sse_hold(b, args[i], args[i + 1], now + lease, lease)
    n = n + 1
  end
  return {'ok', s(n)}
end
fn('sse_renew', sse_renew)
