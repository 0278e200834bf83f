--[[ force_terminate: admin ends an instance now.
keys:    KEYS[1] base
args:    now, id, reason, retention_ms
returns: {'ok', repeat, instance}   ready / assigned -> terminating (unclaimed, fence + 1);
                                    requested / provisioning / started -> failed (port freed,
                                    last_error = reason; the provisioner's claim is void)
         {'wrong_state', state} | {'not_found'}
errors:  BADARG on malformed arguments
Terminating already: repeat = '1'.
]]
local function force_terminate(keys, args)
  local b = keys[1]
  local now = int(args[1], 'now', 0)
  local id = check_id(args[2])
  local why = check(args[3], '.', 1, 500, 'a reason')
  local retention = int(args[4], 'retention_ms', 1)
  local ik = k_inst(b, id)
  local rec = load(ik)
  if not rec then
    return {'not_found'}
  end
  if rec.state == 'terminating' then
    return reply(b, id, 'ok', true)
  end
  if rec.state == 'ready' or rec.state == 'assigned' then
    if rec.state == 'assigned' then
      drop_ip(b, rec)
    end
    retire(b, id, rec, now, why)
    return reply(b, id, 'ok', false)
  end
  if IS_LIVE[rec.state] then
    fail(b, id, rec, now, why, retention)
    return reply(b, id, 'ok', false)
  end
  return {'wrong_state', rec.state}
end
fn('force_terminate', force_terminate)
