--[[ cancel_request: the owner of a queued request leaves the queue: queued -> expired.
keys:    KEYS[1] base
args:    now, request_id, owner_token_hash, retention_ms
returns: {'ok', repeat, request}     out of the queue and the IP's live set, ended_reason =
                                     cancelled; repeat = '1' when it had already ended
         {'assigned', instance_id}   too late: it holds a demo (release the demo instead)
         {'bad_token'} | {'not_found'}
errors:  BADARG on malformed arguments
The waiting room's Cancel: the queue moves up at once instead of handing a demo to nobody.
]]
local function cancel_request(keys, args)
  local b = keys[1]
  local now = int(args[1], 'now', 0)
  local rid = check_rid(args[2])
  local token = check_token(args[3])
  local retention = int(args[4], 'retention_ms', 1)
  local rk = k_req(b, rid)
  local req = load(rk)
  if not req then
    return {'not_found'}
  end
  if req.owner_token_hash ~= token then
    return {'bad_token'}
  end
  if req.state == 'assigned' then
    return {'assigned', req.instance_id}
  end
  if req.state ~= 'queued' then
    return {'ok', '1', redis.call('HGETALL', rk)}
  end
  redis.call('LREM', k_queue(b, req.template), 0, rid)
  redis.call('HSET', rk, 'state', 'expired', 'ended_at', s(now), 'ended_reason', 'cancelled')
  redis.call('PEXPIRE', rk, s(retention))
  if req.client_ip then
    redis.call('SREM', k_ip(b, req.client_ip), rid)
  end
  return {'ok', '0', redis.call('HGETALL', rk)}
end
fn('cancel_request', cancel_request)
