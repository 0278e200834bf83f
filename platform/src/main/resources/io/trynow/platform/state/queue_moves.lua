--[[ queue_moves: the queued requests of a template whose position fell since they were last told.
keys:    KEYS[1] base
args:    now, template, max
returns: {'ok', {request_id, position, ...}}   for the first max entries of the wait queue: each
         request whose 1-based position is below its `notified_pos` (set by acquire when it
         queued); `notified_pos` is set to the new position, so each step is handed to exactly one
         caller: any pool replica can run this, and the visitor of a replica that died keeps
         getting its updates.
errors:  BADARG on malformed arguments
]]
local function queue_moves(keys, args)
  local b = keys[1]
  int(args[1], 'now', 0)
  local tpl = check_tpl(args[2])
  local max = int(args[3], 'max', 1)
  local out = {}
  local rids = redis.call('LRANGE', k_queue(b, tpl), 0, max - 1)
  for i, rid in ipairs(rids) do
    local rk = k_req(b, rid)
    local f = redis.call('HMGET', rk, 'state', 'notified_pos')
    if f[1] == 'queued' then
      local told = tonumber(f[2] or '0') or 0
      if told == 0 or i < told then
        redis.call('HSET', rk, 'notified_pos', s(i))
        out[#out + 1] = rid
        out[#out + 1] = s(i)
      end
    end
  end
  return {'ok', out}
end
fn('queue_moves', queue_moves)
