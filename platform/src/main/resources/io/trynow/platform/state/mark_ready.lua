--[[ mark_ready: started -> ready, or straight to the oldest waiting request of the template.
keys:    KEYS[1] base
args:    now, id, url ('' = keep), retention_ms, hand (optional, default '1': hand the instance
         straight to the oldest queued request; '0': pool it even when visitors wait — for
         templates whose claims are checked (probe, on-claim hook) in pool-service, which then
         hands it over with serve_queue)
returns: {'handed', request_id, repeat, instance}   started -> assigned to the oldest queued
                                                    request (its ttl and max lifetime), and that
                                                    request -> assigned
         {'pooled', repeat, instance}               started -> ready, appended to the ready list
         {'wrong_state', state} | {'not_found'}
errors:  BADARG on malformed arguments
A repeat returns the first outcome (ready: pooled; assigned through the queue: handed).
The first call records now - created_at in slo:<tpl>:ptimes (the last 64 provisioning times).
]]
local function mark_ready(keys, args)
  local b = keys[1]
  local now = int(args[1], 'now', 0)
  local id = check_id(args[2])
  local url = args[3] or ''
  if #url > 512 or string.find(url, '%s') then
    bad('url must be at most 512 characters without spaces')
  end
  local retention = int(args[4], 'retention_ms', 1)
  local hand = (args[5] or '1') ~= '0'
  local ik = k_inst(b, id)
  local rec = load(ik)
  if not rec then
    return {'not_found'}
  end
  if rec.state == 'ready' then
    return reply(b, id, 'pooled', true)
  end
  if rec.state == 'assigned' and rec.assigned_via == 'queue' then
    return {'handed', rec.request_id, '1', redis.call('HGETALL', ik)}
  end
  if rec.state ~= 'started' then
    return {'wrong_state', rec.state}
  end

  redis.call('HSET', ik, 'ready_at', s(now))
  local born = numf(rec, 'created_at')
  if born > 0 and now >= born then
    -- one provisioning-time sample (requested -> ready) for the pool's service target
    local pk = k_ptimes(b, rec.template)
    redis.call('LPUSH', pk, s(now - born))
    redis.call('LTRIM', pk, 0, 63)
  end
  if url ~= '' then
    redis.call('HSET', ik, 'url', url)
  end
  local q = k_queue(b, rec.template)
  while hand do
    local rid = redis.call('LPOP', q)
    if not rid then
      break
    end
    local rk = k_req(b, rid)
    local req = load(rk)
    if req and req.state == 'queued' then
      local maxlife = tonumber(req.max_lifetime_ms)
      assign(b, id, rec, rid, req.owner_token_hash, req.client_ip, now, tonumber(req.ttl_ms),
        maxlife, 'queue')
      touch(b, id)
      redis.call('HSET', rk, 'state', 'assigned', 'instance_id', id, 'assigned_at', s(now))
      redis.call('PEXPIRE', rk, s(maxlife + retention))
      return {'handed', rid, '0', redis.call('HGETALL', ik)}
    end
    -- a request that is no longer queued has no place in the queue: dropped
  end
  move(b, id, rec, 'ready')
  redis.call('RPUSH', k_ready(b, rec.template), id)
  touch(b, id)
  return reply(b, id, 'pooled', false)
end
fn('mark_ready', mark_ready)
