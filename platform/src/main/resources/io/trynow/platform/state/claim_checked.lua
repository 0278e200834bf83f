--[[ claim_checked: the claim check (probe before claim, on-claim hook) of the instance assigned to a
request passed; the request stops being 'checking', so the gateway may now show the visitor the
instance (until then its status says pending and shows no demo).
keys:    KEYS[1] base
args:    now, request_id, instance_id
returns: {'ok'}                    checking cleared (a repeat answers the same)
         {'wrong_state', state}    the request is not assigned to that instance (discarded,
                                   released, expired): nothing written
         {'not_found'}
errors:  BADARG on malformed arguments
]]
local function claim_checked(keys, args)
  local b = keys[1]
  int(args[1], 'now', 0)
  local rid = check_rid(args[2])
  local id = check_id(args[3])
  local rk = k_req(b, rid)
  local req = load(rk)
  if not req then
    return {'not_found'}
  end
  if req.state ~= 'assigned' or req.instance_id ~= id then
    return {'wrong_state', req.state}
  end
  redis.call('HDEL', rk, 'checking')
  return {'ok'}
end
fn('claim_checked', claim_checked)
