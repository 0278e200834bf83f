--[[ abandon_request: an acquire that was answered "not started" is closed for good, so that its
message, if it is stored after all and delivered later, is never served: acquire answers 'closed'
to a closed request, serve_queue only serves queued ones. What the visitor was told and the
store agree whichever of the two calls comes first.
keys:    KEYS[1] base
args:    now, request_id, template, owner_token_hash, client_ip, state ('failed' | 'expired'),
         reason (ended_reason, e.g. not_published, too_late), retention_ms
returns: {'abandoned', request}   no record existed: a closed one is written (state, ended_at,
                                  ended_reason), kept retention_ms
         {'exists', request}      the request was handled first (queued, assigned or ended):
                                  nothing written; answer from it
errors:  BADARG on malformed arguments
Called by the gateway when its publish of the acquire was not confirmed (no PubAck, NATS down),
and by pool-service for a request that reached it too late to be served.
]]
local function abandon_request(keys, args)
  local b = keys[1]
  local now = int(args[1], 'now', 0)
  local rid = check_rid(args[2])
  local tpl = check_tpl(args[3])
  local token = check_token(args[4])
  local ip = check_ip(args[5])
  local state = args[6]
  if state ~= 'failed' and state ~= 'expired' then
    bad('state must be failed or expired')
  end
  local reason = check(args[7], '^[a-z_]+$', 1, 32, 'a reason')
  local retention = int(args[8], 'retention_ms', 1)
  local rk = k_req(b, rid)
  if redis.call('EXISTS', rk) == 1 then
    return {'exists', redis.call('HGETALL', rk)}
  end
  redis.call('HSET', rk, 'id', rid, 'template', tpl, 'state', state, 'client_ip', ip,
    'owner_token_hash', token, 'created_at', s(now), 'ended_at', s(now), 'ended_reason', reason)
  redis.call('PEXPIRE', rk, s(retention))
  return {'abandoned', redis.call('HGETALL', rk)}
end
fn('abandon_request', abandon_request)
