--[[ expire_waiting: drop requests that waited too long.
keys:    KEYS[1] base
args:    now, template, older_than_ms, max, retention_ms
returns: {'ok', {request...}}   at most max, oldest first: queued -> expired, out of the queue
                                and the IP's live set; the caller refunds their rate-limit slots
errors:  BADARG on malformed arguments
]]
local function expire_waiting(keys, args)
  local b = keys[1]
  local now = int(args[1], 'now', 0)
  local tpl = check_tpl(args[2])
  local older = int(args[3], 'older_than_ms', 1)
  local max = int(args[4], 'max', 1)
  local retention = int(args[5], 'retention_ms', 1)
  local q = k_queue(b, tpl)
  local out = {}
  while #out < max do
    local rid = redis.call('LINDEX', q, 0)
    if not rid then
      break
    end
    local rk = k_req(b, rid)
    local req = load(rk)
    if req and req.state == 'queued' then
      if tonumber(req.created_at) > now - older then
        break
      end
      redis.call('LPOP', q)
      out[#out + 1] = end_queued(b, rid, req, 'expired', now, retention)
    else
      redis.call('LPOP', q)
    end
  end
  return {'ok', out}
end
fn('expire_waiting', expire_waiting)
