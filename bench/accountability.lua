-- The accountability view of a region (the county by default): counts per township and
-- the lists behind them.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
local region = os.getenv("REGION") or "411002"
wrk.body = '{"query":"{ accountability(regionCode: \\"' .. region .. '\\") { asOf townships { townshipCode overduePairings overdueFollowUps contactsOverdue } overduePairings { id dueOn } overdueFollowUps { id dueOn } contactsOverdue { familyId dueOn } } }"}'

function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"') then
    io.stderr:write("unexpected answer: " .. status .. " " .. string.sub(body, 1, 200) .. "\n")
  end
end
