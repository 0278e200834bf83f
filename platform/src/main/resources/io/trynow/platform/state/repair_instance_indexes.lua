--[[ repair_instance_indexes: make every instance index agree with the instance records again.
keys:    KEYS[1] base
args:    now, deep ('1': also scan every i:* and t:* key, which finds a live record missing from
         every index; costs O(keyspace), tombstones included)
returns: {'ok', {fix...}}   one line per repair, e.g. '+t:hello:ready iabc', '-state:provisioning
                            iabc', '~leases iabc'; empty when nothing had drifted
errors:  BADARG on malformed arguments
What counts is derived from the records (an instance's state, template, lease_until, expires_at):
state:<s> and t:<tpl>:<s> (the pool's ready and in-flight counts, reserve_provision's caps),
t:<tpl>:readylist (membership; order kept, a missing ready id appended), templates, leases
(provisioning / terminating with lease_until > 0) and expiry (assigned). Used by the reconciler
after a Valkey crash (AOF everysec may lose the last second) or any other drift.
Candidates without deep: every id any of these indexes names, and ports:used holders.
]]
local function repair_instance_indexes(keys, args)
  local b = keys[1]
  int(args[1], 'now', 0)
  local deep = (args[2] or '0') == '1'
  local fixes = {}
  local function fixed(line)
    fixes[#fixes + 1] = line
  end
  local cand, tpls = {}, {}
  local function add_all(list)
    for _, id in ipairs(list) do
      cand[id] = true
    end
  end
  for _, t in ipairs(redis.call('SMEMBERS', b .. 'templates')) do
    tpls[t] = true
  end
  for _, st in ipairs(LIVE) do
    add_all(redis.call('SMEMBERS', k_state(b, st)))
  end
  local leases = redis.call('ZRANGE', b .. 'leases', 0, -1)
  local expiry = redis.call('ZRANGE', b .. 'expiry', 0, -1)
  add_all(leases)
  add_all(expiry)
  local used = redis.call('HGETALL', b .. 'ports:used')
  for i = 2, #used, 2 do
    cand[used[i]] = true
  end
  if deep then
    local n = #b
    for _, k in ipairs(scan(b .. 'i:*')) do
      cand[string.sub(k, n + 3)] = true
    end
    for _, k in ipairs(scan(b .. 't:*')) do
      local t = string.match(string.sub(k, n + 1), '^t:([^:]+):')
      if t then
        tpls[t] = true
      end
    end
  end
  for t in pairs(tpls) do
    for _, st in ipairs(LIVE) do
      add_all(redis.call('SMEMBERS', k_tstate(b, t, st)))
    end
    add_all(redis.call('LRANGE', k_ready(b, t), 0, -1))
  end

  local recs = {}
  for id in pairs(cand) do
    local rec = load(k_inst(b, id))
    if rec and IS_LIVE[rec.state] then
      recs[id] = rec
      tpls[rec.template] = true
    end
  end
  -- too many (a stale member of a set, a record that moved on or ended)
  for _, st in ipairs(LIVE) do
    for _, id in ipairs(redis.call('SMEMBERS', k_state(b, st))) do
      if not (recs[id] and recs[id].state == st) then
        redis.call('SREM', k_state(b, st), id)
        fixed('-state:' .. st .. ' ' .. id)
      end
    end
  end
  for t in pairs(tpls) do
    for _, st in ipairs(LIVE) do
      local key = k_tstate(b, t, st)
      for _, id in ipairs(redis.call('SMEMBERS', key)) do
        local r = recs[id]
        if not (r and r.state == st and r.template == t) then
          redis.call('SREM', key, id)
          fixed('-t:' .. t .. ':' .. st .. ' ' .. id)
        end
      end
    end
    local list = redis.call('LRANGE', k_ready(b, t), 0, -1)
    local keep, seen = {}, {}
    for _, id in ipairs(list) do
      local r = recs[id]
      if r and r.state == 'ready' and r.template == t and not seen[id] then
        keep[#keep + 1] = id
        seen[id] = true
      else
        fixed('-t:' .. t .. ':readylist ' .. id)
      end
    end
    if #keep ~= #list then
      redis.call('DEL', k_ready(b, t))
      if #keep > 0 then
        redis.call('RPUSH', k_ready(b, t), unpack(keep))
      end
    end
  end
  -- too few (a live record missing from the index of its state)
  local ids = {}
  for id in pairs(recs) do
    ids[#ids + 1] = id
  end
  table.sort(ids)
  for _, id in ipairs(ids) do
    local r = recs[id]
    if redis.call('SADD', k_state(b, r.state), id) == 1 then
      fixed('+state:' .. r.state .. ' ' .. id)
    end
    if redis.call('SADD', k_tstate(b, r.template, r.state), id) == 1 then
      fixed('+t:' .. r.template .. ':' .. r.state .. ' ' .. id)
    end
    if r.state == 'ready' and not redis.call('LPOS', k_ready(b, r.template), id) then
      redis.call('RPUSH', k_ready(b, r.template), id)
      fixed('+t:' .. r.template .. ':readylist ' .. id)
    end
    if redis.call('SADD', b .. 'templates', r.template) == 1 then
      fixed('+templates ' .. r.template)
    end
  end
  -- the time indexes: score = the record's lease_until / expires_at, or no entry
  local function fix_zset(name, id, want)
    local have = redis.call('ZSCORE', b .. name, id)
    if want and tonumber(have or '-1') ~= want then
      redis.call('ZADD', b .. name, s(want), id)
      fixed('~' .. name .. ' ' .. id)
    elseif not want and have then
      redis.call('ZREM', b .. name, id)
      fixed('-' .. name .. ' ' .. id)
    end
  end
  for id in pairs(cand) do
    local r = recs[id]
    local lease = r and (r.state == 'provisioning' or r.state == 'terminating')
        and numf(r, 'lease_until') > 0 and numf(r, 'lease_until') or nil
    local exp = r and r.state == 'assigned' and numf(r, 'expires_at') > 0
        and numf(r, 'expires_at') or nil
    fix_zset('leases', id, lease)
    fix_zset('expiry', id, exp)
  end
  return {'ok', fixes}
end
fn('repair_instance_indexes', repair_instance_indexes)
