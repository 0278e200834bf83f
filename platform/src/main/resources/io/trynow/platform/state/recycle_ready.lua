--[[ recycle_ready: take an idle ready instance out of service (its probe failed, it idled too
long, or the container is gone), so that it is never handed out.
keys:    KEYS[1] base
args:    now, id, reason
returns: {'ok', repeat, instance}   ready -> terminating (unclaimed, fence + 1; the cleanup worker
                                    claims and tears it down), out of the ready list,
                                    last_error = reason; terminating already: repeat = '1'
         {'wrong_state', state} | {'not_found'}
errors:  BADARG on malformed arguments
Compare-and-set on ready: an instance handed to a visitor since the probe is left alone.
]]
local function recycle_ready(keys, args)
  local b = keys[1]
  local now = int(args[1], 'now', 0)
  local id = check_id(args[2])
  local why = check(args[3], '.', 1, 500, 'a reason')
  local ik = k_inst(b, id)
  local rec = load(ik)
  if not rec then
    return {'not_found'}
  end
  if rec.state == 'terminating' then
    return reply(b, id, 'ok', true)
  end
  if rec.state ~= 'ready' then
    return {'wrong_state', rec.state}
  end
  retire(b, id, rec, now, why)
  return reply(b, id, 'ok', false)
end
fn('recycle_ready', recycle_ready)
