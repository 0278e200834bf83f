--[[ drop_unavailable: tell queued visitors at once that their template cannot be served.
keys:    KEYS[1] base
args:    now, template, max, retention_ms
returns: {'ok', {request...}}   while the template's failure circuit is not closed: up to max
                                queued requests (oldest first) -> unavailable, out of the queue
                                and the IP's live set; the caller tells the visitors and refunds
                                their rate-limit slots. Nothing while it is closed.
errors:  BADARG on malformed arguments
]]
local function drop_unavailable(keys, args)
  local b = keys[1]
  local now = int(args[1], 'now', 0)
  local tpl = check_tpl(args[2])
  local max = int(args[3], 'max', 1)
  local retention = int(args[4], 'retention_ms', 1)
  local out = {}
  if not circuit_retry_ms(b, tpl, now) then
    return {'ok', out}
  end
  local q = k_queue(b, tpl)
  while #out < max do
    local rid = redis.call('LPOP', q)
    if not rid then
      break
    end
    local req = load(k_req(b, rid))
    if req and req.state == 'queued' then
      out[#out + 1] = end_queued(b, rid, req, 'unavailable', now, retention)
    end
  end
  return {'ok', out}
end
fn('drop_unavailable', drop_unavailable)
