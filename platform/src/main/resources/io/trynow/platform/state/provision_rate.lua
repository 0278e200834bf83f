--[[ provision_rate: how fast a template's instances finished provisioning lately (the ETA input).
keys:    KEYS[1] base
args:    now, template, window_ms
returns: {'ok', count, oldest_ms}   instances of the template that reached `started` within the
         last window_ms (mark_started records each in started:<tpl>, kept to the last 1000), and
         the time of the oldest of them (0 when none). Shared by every replica, kept across
         restarts.
errors:  BADARG on malformed arguments
]]
local function provision_rate(keys, args)
  local b = keys[1]
  local now = int(args[1], 'now', 0)
  local tpl = check_tpl(args[2])
  local window = int(args[3], 'window_ms', 1)
  local k = k_started(b, tpl)
  local from = now - window
  local count = redis.call('ZCOUNT', k, s(from), '+inf')
  local oldest = 0
  if count > 0 then
    local first = redis.call('ZRANGEBYSCORE', k, s(from), '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
    oldest = tonumber(first[2])
  end
  return {'ok', s(count), s(oldest)}
end
read_fn('provision_rate', provision_rate)
