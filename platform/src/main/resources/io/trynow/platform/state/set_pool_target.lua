--[[ set_pool_target: stores a template's ready target, compare-and-set on the estimate version.
keys:    KEYS[1] base
args:    now, template, version, target, r_ms, moved ('1' when the target changed: moved_at)
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
  local k = k_slo(b, tpl)
  local current = tonumber(redis.call('HGET', k, 'version') or '0') or 0
  if current ~= version then
    return {'stale', s(current)}
  end
  redis.call('HSET', k, 'target', s(target), 'r_ms', s(r_ms), 'target_at', s(now))
  if moved then
    redis.call('HSET', k, 'moved_at', s(now))
  end
  return {'ok', s(redis.call('HINCRBY', k, 'version', 1))}
end
fn('set_pool_target', set_pool_target)
