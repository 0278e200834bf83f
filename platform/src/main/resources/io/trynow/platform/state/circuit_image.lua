--[[ circuit_image: the image check of a template (the provisioner's, at startup and on a timer).
keys:    KEYS[1] base
args:    now, template, present ('1'|'0'), error, hold_ms
returns: {'ok', changed ('1'|'0'), state}
errors:  BADARG on malformed arguments
Missing: the template's failure circuit (c:<tpl>, see lib.lua) opens at once (reason
image_missing) until now + hold_ms, renewed by every check that still finds it missing, so no
probe is wasted on it. Present: a circuit opened for image_missing closes (the pool refills); one
opened by failures is left to its probe. The rest of the circuit: reserve_provision obeys it,
claim_provision cancels what it forbids, mark_started closes it, mark_failed counts failures,
acquire refuses to queue while it is not closed, drop_unavailable empties the queue.
]]
local function circuit_image(keys, args)
  local b = keys[1]
  local now = int(args[1], 'now', 0)
  local tpl = check_tpl(args[2])
  local present = check(args[3], '^[01]$', 1, 1, 'a flag')
  local why = check(args[4], '.', 1, 500, 'an error text')
  local hold = int(args[5], 'hold_ms', 1)
  local ck = k_circuit(b, tpl)
  local c = circuit(b, tpl)
  if present == '1' then
    if c.state ~= 'closed' and c.reason == 'image_missing' then
      circuit_close(b, tpl, now)
      return {'ok', '1', 'closed'}
    end
    return {'ok', '0', c.state}
  end
  local changed = c.state ~= 'open' or c.reason ~= 'image_missing'
  redis.call('HSET', ck, 'state', 'open', 'reason', 'image_missing', 'open_until',
    s(now + hold), 'probe', '', 'last_error', why, 'last_error_at', s(now))
  if changed then
    redis.call('HSET', ck, 'changed_at', s(now))
  end
  return {'ok', changed and '1' or '0', 'open'}
end
fn('circuit_image', circuit_image)
