--[[ mark_terminated: terminating -> terminated after teardown, by the claimant.
keys:    KEYS[1] base
args:    now, id, fence, retention_ms
returns: {'ok', repeat, instance}   port freed, out of every index, tombstone for retention_ms
         {'stale_fence', current} | {'wrong_state', state} | {'not_found'}
errors:  BADARG on malformed arguments
A repeat after success returns repeat = '1' whatever the fence (the work is done).
]]
local function mark_terminated(keys, args)
  local b = keys[1]
  local now = int(args[1], 'now', 0)
  local id = check_id(args[2])
  local fence = int(args[3], 'fence', 1)
  local retention = int(args[4], 'retention_ms', 1)
  local rec = load(k_inst(b, id))
  if not rec then
    return {'not_found'}
  end
  if rec.state == 'terminated' then
    return reply(b, id, 'ok', true)
  end
  if rec.state ~= 'terminating' then
    return {'wrong_state', rec.state}
  end
  if numf(rec, 'fence') ~= fence or numf(rec, 'lease_until') == 0 then
    return {'stale_fence', rec.fence}
  end
  finish(b, id, rec, 'terminated', now, retention)
  return reply(b, id, 'ok', false)
end
fn('mark_terminated', mark_terminated)
