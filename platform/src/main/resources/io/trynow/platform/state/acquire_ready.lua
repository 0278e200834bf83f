--[[ acquire_ready: the warm-hit fast path of an acquire, rate limit included, in one call.
keys:    KEYS[1] base
args:    the 12 arguments of acquire (acquire.lua; max_queue is not used), then per_hour, per_day
         (the rate limit's, as rate_limit.lua)
returns: {'limited', rl}                  the rate limit refused; nothing written
         {'assigned', repeat, instance, rl}   counted, and the request took the oldest ready
                                          instance exactly as acquire does (request record, IP set,
                                          one warm arrival); repeat = '1': the request already
                                          held this assigned instance (nothing written)
         {'miss', why, rl}                counted (or a repeat of rid), nothing else written: the
                                          decision is acquire's (pool-service). why: 'request' (the
                                          request exists and is not plainly assigned), 'checks' (the
                                          template checks claims: probe or on-claim hook), 'ip'
                                          (the client IP holds max_live_per_ip live requests),
                                          'empty' (no ready instance at the head of the ready list)
         rl is rate_limit's reply: {'allowed', hour_count, day_count, hour_reset_ms,
         day_reset_ms, repeat} or {'limited', window, count, reset_ms, hour_count, day_count,
         hour_reset_ms, day_reset_ms}
errors:  BADARG on malformed arguments
Why: the gateway answers a warm hit without the JetStream round trip through pool-service (the
decision is this one atomic function either way); anything else goes the queue path, whose
refunds find the count made here by the request id (rl:req:<rid>).
]]
local function acquire_ready(keys, args)
  local b = keys[1]
  local a = acquire_args(args)
  local per_hour = int(args[13], 'per_hour', 0)
  local per_day = int(args[14], 'per_day', 0)

  local rl = rate_count(b, a.now, a.ip, a.rid, per_hour, per_day)
  if rl[1] == 'limited' then
    return {'limited', rl}
  end
  local req = load(k_req(b, a.rid))
  if req then
    if req.state == 'assigned' and not req.checking and req.instance_id then
      local ik = k_inst(b, req.instance_id)
      if redis.call('HGET', ik, 'state') == 'assigned'
          and redis.call('HGET', ik, 'request_id') == a.rid then
        return {'assigned', '1', redis.call('HGETALL', ik), rl}
      end
    end
    return {'miss', 'request', rl}
  end
  if a.checks then
    return {'miss', 'checks', rl}
  end
  if a.max_ip > 0 and redis.call('SCARD', k_ip(b, a.ip)) >= a.max_ip then
    return {'miss', 'ip', rl}
  end
  local id, rec = take_ready(b, a.tpl, false)
  if not id then
    return {'miss', 'empty', rl}
  end
  return {'assigned', '0', assign_request(b, id, rec, a), rl}
end
fn('acquire_ready', acquire_ready)
