--[[ place_instance: choose the Docker host of a provisioning instance, atomically.
keys:    KEYS[1] base
args:    now, id, fence, then host, capacity pairs: the hosts the template may run on (the
         registry's hosts whose labels match the template's placement constraints)
returns: {'ok', repeat, host}   the candidate that is not drained (hosts:down) with the most free
                                capacity (capacity - live instances in h:<host>; ties: the first
                                given); the record's `host` is set and the id added to h:<host>.
                                A repeat returns the host already chosen.
         {'full'}               no candidate is up with a free slot; nothing written
         {'host_down', host}    the host chosen earlier was drained since
         {'stale_fence', current} | {'wrong_state', state} | {'not_found'}
errors:  BADARG on malformed arguments
One call decides, so two provisioners never overfill a host.
]]
local function place_instance(keys, args)
  local b = keys[1]
  int(args[1], 'now', 0)
  local id = check_id(args[2])
  local fence = int(args[3], 'fence', 1)
  if #args < 5 or #args % 2 ~= 1 then
    bad('host, capacity pairs expected')
  end
  local hosts, caps = {}, {}
  for i = 4, #args, 2 do
    hosts[#hosts + 1] = check_host(args[i])
    caps[#caps + 1] = int(args[i + 1], 'capacity', 0)
  end
  local ik = k_inst(b, id)
  local rec = load(ik)
  if not rec then
    return {'not_found'}
  end
  if rec.state ~= 'provisioning' then
    return {'wrong_state', rec.state}
  end
  if numf(rec, 'fence') ~= fence then
    return {'stale_fence', rec.fence}
  end
  if rec.host and rec.host ~= '' then
    if redis.call('HEXISTS', b .. 'hosts:down', rec.host) == 1 then
      return {'host_down', rec.host}
    end
    return {'ok', '1', rec.host}
  end
  local best, best_free = nil, 0
  for i, host in ipairs(hosts) do
    if redis.call('HEXISTS', b .. 'hosts:down', host) == 0 then
      local free = caps[i] - redis.call('SCARD', k_host(b, host))
      if free > best_free then
        best, best_free = host, free
      end
    end
  end
  if not best then
    return {'full'}
  end
  redis.call('HSET', ik, 'host', best)
  redis.call('SADD', k_host(b, best), id)
  touch(b, id)
  return {'ok', '0', best}
end
fn('place_instance', place_instance)
