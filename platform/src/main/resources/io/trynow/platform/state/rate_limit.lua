--[[ rate_limit: check and count one call of a client IP in its hour and day windows together.
keys:    KEYS[1] base
args:    now, client_ip, request_id ('' = none), per_hour, per_day
returns: {'allowed', hour_count, day_count, hour_reset_ms, day_reset_ms, repeat}
         {'limited', 'hour'|'day', count, reset_ms, hour_count, day_count, hour_reset_ms,
          day_reset_ms}                        nothing counted; both windows as they stand
errors:  BADARG on malformed arguments
Fixed windows (hour n = floor(now / 3600000)); counters expire a minute after their window
(relative TTL: the caller's clock, not the server's, decides the window). Check and increment are one call, so N
concurrent callers are admitted exactly up to the limit (a check and its increment are one transition). With a request
id, a repeat of the same id is not counted again (repeat = '1').
]]
local function rate_limit(keys, args)
  local now = int(args[1], 'now', 0)
  local ip = check_ip(args[2])
  local rid = args[3] or ''
  if rid ~= '' then
    check_rid(rid)
  end
  local per_hour = int(args[4], 'per_hour', 0)
  local per_day = int(args[5], 'per_day', 0)
  return rate_count(keys[1], now, ip, rid, per_hour, per_day)
end
fn('rate_limit', rate_limit)
