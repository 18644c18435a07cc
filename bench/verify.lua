-- verifyGreenChannel over a list of real ID numbers, round robin, as a hospital app: the
-- registered operation (clients/hospital/verify.graphql) sent by its hash alone.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")

local ids = {}
for line in io.lines(os.getenv("IDS_FILE")) do
  ids[#ids + 1] = line
end
local i = 0
local hash = os.getenv("VERIFY_HASH")

function request()
  i = i % #ids + 1
  local body = '{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"' .. hash .. '"}},"variables":{"idNumber":"' .. ids[i] .. '"}}'
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"') then
    io.stderr:write("unexpected answer: " .. status .. " " .. string.sub(body, 1, 200) .. "\n")
  end
end
