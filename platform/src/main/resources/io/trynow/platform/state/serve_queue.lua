--[[ serve_queue: hand the oldest ready instance of a template to its oldest queued request. For
templates whose claims pool-service checks (probe before claim, on-claim hook): mark_ready pools
their instances (hand = '0') and pool-service calls this, then checks the claim before the visitor
is told (a failed check runs discard_claim).
keys:    KEYS[1] base
args:    now, template, retention_ms
returns: {'handed', request_id, fields, instance}   ready -> assigned (via queue; the request's
                                                    ttl and max lifetime) and the request ->
                                                    assigned; fields: the request's visitor
                                                    fields as JSON ('' = none); the request is
                                                    marked checking until claim_checked
         {'none'}                                   no queued request or no ready instance
errors:  BADARG on malformed arguments
A non-ready id at the head of the ready list, or a request at the head of the queue that is no
longer queued, is dropped, as mark_ready and acquire do.
]]
local function serve_queue(keys, args)
  local b = keys[1]
  local now = int(args[1], 'now', 0)
  local tpl = check_tpl(args[2])
  local retention = int(args[3], 'retention_ms', 1)
  local q = k_queue(b, tpl)
  local rl = k_ready(b, tpl)
  while redis.call('LLEN', q) > 0 do
    local id = redis.call('LINDEX', rl, 0)
    if not id then
      return {'none'}
    end
    local ik = k_inst(b, id)
    local rec = load(ik)
    if not rec or rec.state ~= 'ready' then
      redis.call('LPOP', rl)
    else
      local rid = redis.call('LPOP', q)
      local rk = k_req(b, rid)
      local req = load(rk)
      if req and req.state == 'queued' then
        redis.call('LPOP', rl)
        local maxlife = tonumber(req.max_lifetime_ms)
        assign(b, id, rec, rid, req.owner_token_hash, req.client_ip, now, tonumber(req.ttl_ms),
          maxlife, 'queue')
        touch(b, id)
        redis.call('HSET', rk, 'state', 'assigned', 'instance_id', id, 'assigned_at', s(now),
          'checking', '1')
        redis.call('PEXPIRE', rk, s(maxlife + retention))
        return {'handed', rid, req.fields or '', redis.call('HGETALL', ik)}
      end
    end
  end
  return {'none'}
end
fn('serve_queue', serve_queue)
