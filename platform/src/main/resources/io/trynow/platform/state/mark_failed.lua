--[[ mark_failed: any live state before terminating -> failed.
keys:    KEYS[1] base
args:    now, id, fence (0 = not a claimant: proxy-sync, reconcilers, admin), error, retention_ms
         [, threshold, base_ms, cap_ms, jitter (0..999)]   optional: the failure counts against
         the template's circuit (see circuit_fail in lib.lua); only a claimant's failure may
returns: {'ok', repeat, instance[, opened]}   failed: port freed, out of every index,
                                    last_error set, tombstone for retention_ms; an assigned
                                    instance's request becomes failed (the record names request
                                    and owner); opened = '1' when this failure opened the circuit
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
  local threshold, base, cap, jitter
  if args[6] then
    threshold = int(args[6], 'threshold', 1)
    base = int(args[7], 'base_ms', 1)
    cap = int(args[8], 'cap_ms', base)
    jitter = int(args[9], 'jitter', 0)
    if jitter > 999 then
      bad('jitter must be 0..999')
    end
    if fence == 0 then
      bad('only a claimant counts a failure against the circuit')
    end
  end
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
  local opened = false
  if threshold then
    opened = circuit_fail(b, rec.template, now, why, threshold, base, cap, jitter)
  end
  local out = reply(b, id, 'ok', false)
  out[4] = opened and '1' or '0'
  return out
end
fn('mark_failed', mark_failed)
