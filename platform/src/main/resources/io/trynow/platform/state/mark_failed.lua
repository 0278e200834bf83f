--[[ mark_failed: any live state before terminating -> failed.
keys:    KEYS[1] base
args:    now, id, fence (0 = not a claimant: proxy-sync, reconcilers, admin), error, retention_ms
returns: {'ok', repeat, instance}   failed: port freed, out of every index, last_error set,
                                    tombstone for retention_ms; an assigned instance's request
                                    becomes failed (the record names request and owner)
         {'stale_fence', current} | {'wrong_state', state} | {'not_found'}
errors:  BADARG on malformed arguments
A claimant (fence > 0) may only fail the provisioning instance it holds.
]]
local function mark_failed(keys, args)
  local b = keys[1]
  local now = int(args[1], 'now', 0)
  local id = check_id(args[2])
  local fence = int(args[3], 'fence', 0)
  local why = check(args[4], '.', 1, 500, 'an error text')
  local retention = int(args[5], 'retention_ms', 1)
  local rec = load(k_inst(b, id))
  if not rec then
    return {'not_found'}
  end
  if rec.state == 'failed' then
    return reply(b, id, 'ok', true)
  end
  if not IS_LIVE[rec.state] or rec.state == 'terminating' then
    return {'wrong_state', rec.state}
  end
  if fence > 0 then
    if rec.state ~= 'provisioning' then
      return {'wrong_state', rec.state}
    end
    if numf(rec, 'fence') ~= fence then
      return {'stale_fence', rec.fence}
    end
  end
  fail(b, id, rec, now, why, retention)
  return reply(b, id, 'ok', false)
end
fn('mark_failed', mark_failed)
