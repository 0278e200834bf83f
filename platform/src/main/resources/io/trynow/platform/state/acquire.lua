--[[ acquire: give the request the oldest ready instance of the template, or queue it.
keys:    KEYS[1] base
args:    now, request_id, template, owner_token_hash, client_ip, ttl_ms, max_lifetime_ms,
         max_queue, max_live_per_ip (0 = no cap), retention_ms, fields (optional: the visitor
         fields as JSON, at most 8192 bytes, kept on the request for the on-claim hook),
         checks (optional, default '0'; '1': the template checks claims, so an assigned request
         is marked checking until claim_checked)
returns: {'assigned', repeat, instance}   ready -> assigned, expires_at = now + min(ttl, max),
                                          max_expires_at = now + max_lifetime
         {'queued', repeat, position}     appended to the template's wait queue (1-based)
         {'queue_full'}                   queue already holds max_queue requests; nothing written
                                          but the demand count
         {'unavailable', retry_after_ms, last_error}   no ready instance and the template's
                                          failure circuit is not closed: a queue slot could not
                                          be served; nothing written
                                          but the demand count
         {'limit', live}                  client_ip holds max_live_per_ip live requests
         {'closed', request}              repeat of a request that failed / expired / lost its
                                          instance record
errors:  BADARG on malformed arguments
Idempotent per request id: a repeat returns the first call's outcome as it stands now.
Every new request (assigned, queued or queue_full) counts one arrival in slo:<tpl> (assigned:
also one warm), the input of the pool's service target (observe_demand.lua).
]]
local function acquire(keys, args)
  local b = keys[1]
  local a = acquire_args(args)
  local rid, tpl, ip, now = a.rid, a.tpl, a.ip, a.now

  local rk = k_req(b, rid)
  local req = load(rk)
  if req then
    if req.state == 'queued' then
      local pos = redis.call('LPOS', k_queue(b, req.template), rid)
      return {'queued', '1', s((pos or 0) + 1)}
    elseif req.state == 'assigned' then
      local inst = redis.call('HGETALL', k_inst(b, req.instance_id))
      if #inst > 0 then
        return {'assigned', '1', inst}
      end
    end
    return {'closed', redis.call('HGETALL', rk)}
  end

  local ipk = k_ip(b, ip)
  if a.max_ip > 0 then
    local live = redis.call('SCARD', ipk)
    if live >= a.max_ip then
      return {'limit', s(live)}
    end
  end

  local id, rec = take_ready(b, tpl, true)
  if id then
    return {'assigned', '0', assign_request(b, id, rec, a)}
  end

  local retry, circ = circuit_retry_ms(b, tpl, now)
  if retry then
    return {'unavailable', s(retry), circ.last_error or ''}
  end

  local q = k_queue(b, tpl)
  local waiting = redis.call('LLEN', q)
  if waiting >= a.max_queue then
    count_arrival(b, tpl, false)
    return {'queue_full'}
  end
  redis.call('RPUSH', q, rid)
  redis.call('HSET', rk, 'id', rid, 'template', tpl, 'state', 'queued', 'client_ip', ip,
    'owner_token_hash', a.token, 'created_at', s(now), 'ttl_ms', s(a.ttl),
    'max_lifetime_ms', s(a.maxlife), 'notified_pos', s(waiting + 1))
  if a.fields ~= '' then
    redis.call('HSET', rk, 'fields', a.fields)
  end
  redis.call('PEXPIRE', rk, s(a.retention))
  redis.call('SADD', ipk, rid)
  redis.call('SADD', b .. 'templates', tpl)
  count_arrival(b, tpl, false)
  return {'queued', '0', s(waiting + 1)}
end
fn('acquire', acquire)
