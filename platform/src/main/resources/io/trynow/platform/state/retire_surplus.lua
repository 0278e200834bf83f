--[[ retire_surplus: ready instances beyond the target -> terminating, gently.
keys:    KEYS[1] base
args:    now, template, keep, max, min_gap_ms, reason
returns: {'ok', {instance...}}   at most max ready instances (newest first) -> terminating
                                 (unclaimed, fence + 1, last_error = reason) while more than keep
                                 are ready and nobody waits; nothing when the last retirement
                                 (slo:<tpl> retired_at) is less than min_gap_ms ago
errors:  BADARG on malformed arguments
The caller publishes one cleanup request per instance; the orphan sweeper tears down any whose
request was lost.
]]
local function retire_surplus(keys, args)
  local b = keys[1]
  local now = int(args[1], 'now', 0)
  local tpl = check_tpl(args[2])
  local keep = int(args[3], 'keep', 0)
  local max = int(args[4], 'max', 1)
  local gap = int(args[5], 'min_gap_ms', 0)
  local why = check(args[6], '.', 1, 500, 'a reason')
  local out = {}
  local k = k_slo(b, tpl)
  local last = tonumber(redis.call('HGET', k, 'retired_at') or '0') or 0
  if now - last < gap or redis.call('LLEN', k_queue(b, tpl)) > 0 then
    return {'ok', out}
  end
  local rl = k_ready(b, tpl)
  while #out < max and redis.call('LLEN', rl) > keep do
    local id = redis.call('RPOP', rl)
    local ik = k_inst(b, id)
    local rec = load(ik)
    if rec and rec.state == 'ready' then
      move(b, id, rec, 'terminating')
      redis.call('HINCRBY', ik, 'fence', 1)
      redis.call('HSET', ik, 'lease_until', '0', 'ended_at', s(now), 'last_error', why)
      touch(b, id)
      out[#out + 1] = redis.call('HGETALL', ik)
    end
    -- a non-ready id in the ready list would be a bug elsewhere; it is dropped, never handed out
  end
  if #out > 0 then
    redis.call('HSET', k, 'retired_at', s(now))
  end
  return {'ok', out}
end
fn('retire_surplus', retire_surplus)
