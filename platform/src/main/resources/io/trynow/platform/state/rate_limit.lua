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
  local b = keys[1]
  local now = int(args[1], 'now', 0)
  local ip = check_ip(args[2])
  local rid = args[3] or ''
  if rid ~= '' then
    check_rid(rid)
  end
  local per_hour = int(args[4], 'per_hour', 0)
  local per_day = int(args[5], 'per_day', 0)
  local hw = math.floor(now / 3600000)
  local dw = math.floor(now / 86400000)
  local hk = b .. 'rl:' .. ip .. ':h:' .. s(hw)
  local dk = b .. 'rl:' .. ip .. ':d:' .. s(dw)
  local hreset = (hw + 1) * 3600000
  local dreset = (dw + 1) * 86400000
  local h = tonumber(redis.call('GET', hk) or '0')
  local d = tonumber(redis.call('GET', dk) or '0')
  local mk = b .. 'rl:req:' .. rid
  if rid ~= '' and redis.call('EXISTS', mk) == 1 then
    return {'allowed', s(h), s(d), s(hreset), s(dreset), '1'}
  end
  if h >= per_hour then
    return {'limited', 'hour', s(h), s(hreset), s(h), s(d), s(hreset), s(dreset)}
  end
  if d >= per_day then
    return {'limited', 'day', s(d), s(dreset), s(h), s(d), s(hreset), s(dreset)}
  end
  redis.call('INCR', hk)
  redis.call('PEXPIRE', hk, s(hreset - now + 60000))
  redis.call('INCR', dk)
  redis.call('PEXPIRE', dk, s(dreset - now + 60000))
  if rid ~= '' then
    redis.call('SET', mk, s(now), 'PX', '172800000')
  end
  return {'allowed', s(h + 1), s(d + 1), s(hreset), s(dreset), '0'}
end
fn('rate_limit', rate_limit)
