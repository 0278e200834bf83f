--[[ set_pool_target: stores a template's ready target, compare-and-set on the estimate version.
keys:    KEYS[1] base
args:    now, template, version, target, r_ms, moved ('1' when the target changed: moved_at)
         [, sizing_rate, raw, wait_ms]   what the target was computed from, for operators: the
         arrival rate used (arrivals/s, >= 0), the model's target before smoothing, and the mean
         wait for a provisioning slot included in r_ms
returns: {'ok', version} | {'stale', version}
errors:  BADARG on malformed arguments
A caller that computed from an older fold (version moved on) loses to the newer one.
reserve_provision keeps at least the target ready (min-ready stays the floor, max-total the cap).
]]
local function set_pool_target(keys, args)
  local b = keys[1]
  local now = int(args[1], 'now', 0)
  local tpl = check_tpl(args[2])
  local version = int(args[3], 'version', 0)
  local target = int(args[4], 'target', 0)
  local r_ms = int(args[5], 'r_ms', 0)
  local moved = args[6] == '1'
  local sizing_rate = nil
  if args[7] ~= nil then
    sizing_rate = tonumber(args[7])
    if not sizing_rate or not (sizing_rate >= 0 and sizing_rate < 1e9) then
      bad('sizing_rate must be a number >= 0 and < 1e9')
    end
  end
  local raw = args[8] ~= nil and int(args[8], 'raw', 0) or nil
  local wait_ms = args[9] ~= nil and int(args[9], 'wait_ms', 0) or nil
  local k = k_slo(b, tpl)
  local current = tonumber(redis.call('HGET', k, 'version') or '0') or 0
  if current ~= version then
    return {'stale', s(current)}
  end
  redis.call('HSET', k, 'target', s(target), 'r_ms', s(r_ms), 'target_at', s(now))
  if sizing_rate then
    redis.call('HSET', k, 'sizing_rate', fmt6(sizing_rate))
  end
  if raw then
    redis.call('HSET', k, 'raw_target', s(raw))
  end
  if wait_ms then
    redis.call('HSET', k, 'wait_ms', s(wait_ms))
  end
  if moved then
    redis.call('HSET', k, 'moved_at', s(now))
  end
  return {'ok', s(redis.call('HINCRBY', k, 'version', 1))}
end
fn('set_pool_target', set_pool_target)
