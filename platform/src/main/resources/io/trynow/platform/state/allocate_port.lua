--[[ allocate_port: give a provisioning instance a port from the free set.
keys:    KEYS[1] base
args:    now, id, fence
returns: {'port', port, repeat}   the instance's port; repeat = '1' when it already had one
         {'no_port'}              the free set is empty; nothing written
         {'stale_fence', current} | {'wrong_state', state} | {'not_found'}
errors:  BADARG on malformed arguments
Idempotent per instance. ports:used maps the port to its owner, so free + used = the range.
]]
local function allocate_port(keys, args)
  local b = keys[1]
  local now = int(args[1], 'now', 0)
  local id = check_id(args[2])
  local fence = int(args[3], 'fence', 1)
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
  if numf(rec, 'port') > 0 then
    return {'port', rec.port, '1'}
  end
  local p = redis.call('SPOP', b .. 'ports:free')
  if not p then
    return {'no_port'}
  end
  redis.call('HSET', b .. 'ports:used', p, id)
  redis.call('HSET', ik, 'port', p)
  touch(b, id)
  return {'port', p, '0'}
end
fn('allocate_port', allocate_port)
