--[[ sse_open: take an event stream's slot if both caps allow it, in one check-and-take.
keys:    KEYS[1] base; sse:all (zset lease id -> lease_until, every open stream) and sse:ip:<ip>
         (the same for one client IP, PEXPIREd with its leases)
args:    now, lease_id, client_ip, lease_ms, per_ip, total
returns: {'ok', open_total, open_ip}    the slot is held until now + lease_ms
         {'full', 'total'|'ip', count}   not taken (lapsed leases are dropped all the same)
         an open lease id opened again is renewed ('ok'; the caps are not checked again)
errors:  BADARG on malformed arguments
The open event streams of every gateway replica, counted together so that the caps (per client
IP and in total) hold for the whole installation, not per replica. Each open stream holds a lease
that its replica renews (sse_renew); a replica that dies stops renewing and its leases lapse, so its
slots come back without anyone cleaning up after it.
]]
local function sse_open(keys, args)
  local b = keys[1]
  local now = int(args[1], 'now', 0)
  local lease_id = check_lease(args[2])
  local ip = check_ip(args[3])
  local lease = int(args[4], 'lease_ms', 1)
  local per_ip = int(args[5], 'per_ip', 0)
  local total = int(args[6], 'total', 0)
  local all = b .. 'sse:all'
  local mine = k_sse_ip(b, ip)
  redis.call('ZREMRANGEBYSCORE', all, '-inf', s(now))
  redis.call('ZREMRANGEBYSCORE', mine, '-inf', s(now))
  if redis.call('ZSCORE', all, lease_id) then
    sse_hold(b, lease_id, ip, now + lease, lease)
    return {'ok', s(redis.call('ZCARD', all)), s(redis.call('ZCARD', mine))}
  end
  local n_all = redis.call('ZCARD', all)
  if n_all >= total then
    return {'full', 'total', s(n_all)}
  end
  local n_ip = redis.call('ZCARD', mine)
  if n_ip >= per_ip then
    return {'full', 'ip', s(n_ip)}
  end
  sse_hold(b, lease_id, ip, now + lease, lease)
  return {'ok', s(n_all + 1), s(n_ip + 1)}
end
fn('sse_open', sse_open)
