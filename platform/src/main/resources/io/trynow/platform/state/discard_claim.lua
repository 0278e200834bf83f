--[[ discard_claim: the instance just assigned to a request failed its claim check (the probe
right before the claim, or the template's on-claim hook): it is taken out of service and the
request gets the next ready instance, else waits at the head of the queue. The visitor never
sees the failed one.
keys:    KEYS[1] base
args:    now, request_id, instance_id, reason
returns: {'assigned', instance}   the next ready instance, assigned to the same request (same
                                  owner, TTL, max lifetime; expiry counted from now)
         {'queued', position}     none ready: the request is queued again, first in line
         {'wrong_state', state}   the instance is no longer assigned to this request (released,
                                  expired, or already discarded): nothing written
         {'not_found'}            no such request or instance
errors:  BADARG on malformed arguments
Counted per template in cf:<tpl> (discarded, last_error, last_at), shown by the admin API.
The discarded instance goes assigned -> terminating (unclaimed, fence + 1, last_error = reason,
its owner and request cleared; the cleanup worker tears it down and frees its port).
]]
local function discard_claim(keys, args)
  local b = keys[1]
  local now = int(args[1], 'now', 0)
  local rid = check_rid(args[2])
  local id = check_id(args[3])
  local why = check(args[4], '.', 1, 500, 'a reason')
  local ik = k_inst(b, id)
  local rk = k_req(b, rid)
  local rec = load(ik)
  local req = load(rk)
  if not rec or not req then
    return {'not_found'}
  end
  if rec.state ~= 'assigned' or rec.request_id ~= rid or req.state ~= 'assigned'
      or req.instance_id ~= id then
    return {'wrong_state', rec.state}
  end

  retire(b, id, rec, now, why)
  local cf = b .. 'cf:' .. req.template
  redis.call('HINCRBY', cf, 'discarded', 1)
  redis.call('HSET', cf, 'last_error', why, 'last_at', s(now))
  redis.call('HSET', ik, 'discarded_from', rid)
  redis.call('HDEL', ik, 'request_id', 'owner_token_hash', 'client_ip', 'expires_at',
    'max_expires_at')

  local tpl = req.template
  local ttl = numf(req, 'ttl_ms')
  local maxlife = numf(req, 'max_lifetime_ms')
  local rl = k_ready(b, tpl)
  while true do
    local next_id = redis.call('LPOP', rl)
    if not next_id then
      break
    end
    local nk = k_inst(b, next_id)
    local f = redis.call('HMGET', nk, 'state', 'template')
    if f[1] == 'ready' then
      assign(b, next_id, {state = f[1], template = f[2]}, rid, req.owner_token_hash,
        req.client_ip, now, ttl, maxlife, 'pool')
      touch(b, next_id)
      redis.call('HSET', rk, 'instance_id', next_id, 'assigned_at', s(now))
      return {'assigned', redis.call('HGETALL', nk)}
    end
  end
  redis.call('HSET', rk, 'state', 'queued')
  redis.call('HDEL', rk, 'instance_id', 'assigned_at', 'checking')
  redis.call('LPUSH', k_queue(b, tpl), rid)
  return {'queued', '1'}
end
fn('discard_claim', discard_claim)
