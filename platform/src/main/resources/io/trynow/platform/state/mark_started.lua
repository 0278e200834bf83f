--[[ mark_started: provisioning -> started (the container runs and is healthy).
keys:    KEYS[1] base
args:    now, id, fence, container_name
returns: {'ok', repeat, instance}   started_at, container_name set; the lease ends; recorded in
                                    started:<tpl> (provision_rate); the template's failure
                                    circuit closes (a provision succeeded)
         {'stale_fence', current} | {'wrong_state', state} | {'not_found'}
errors:  BADARG on malformed arguments, or when the instance has no port yet
A repeat by the same claimant (same fence) after success returns repeat = '1'.
]]
local function mark_started(keys, args)
  local b = keys[1]
  local now = int(args[1], 'now', 0)
  local id = check_id(args[2])
  local fence = int(args[3], 'fence', 1)
  local name = check(args[4], '^[A-Za-z0-9_.%-]+$', 1, 128, 'a container name')
  local ik = k_inst(b, id)
  local rec = load(ik)
  if not rec then
    return {'not_found'}
  end
  if rec.state ~= 'provisioning' and rec.state ~= 'started' then
    return {'wrong_state', rec.state}
  end
  if numf(rec, 'fence') ~= fence then
    return {'stale_fence', rec.fence}
  end
  if rec.state == 'started' then
    return reply(b, id, 'ok', true)
  end
  if numf(rec, 'port') == 0 then
    bad('allocate a port before mark_started')
  end
  move(b, id, rec, 'started')
  redis.call('HSET', ik, 'started_at', s(now), 'container_name', name, 'lease_until', '0')
  redis.call('ZREM', b .. 'leases', id)
  local started = k_started(b, rec.template)
  redis.call('ZADD', started, s(now), id)
  redis.call('ZREMRANGEBYRANK', started, 0, -1001)
  touch(b, id)
  circuit_close(b, rec.template, now)
  return reply(b, id, 'ok', false)
end
fn('mark_started', mark_started)
