-- Session check. args: mode (native|m3o|wekan), tokens file, app key (m3o).
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "common.lua")
local reqs, i = {}, 0

function init(args)
   local mode, tokens, key = args[1], read_lines(args[2]), args[3]
   for _, tok in ipairs(tokens) do
      if mode == "native" then
         reqs[#reqs + 1] = wrk.format("GET", "/v1/apps/default/me", { Authorization = "Bearer " .. tok })
      elseif mode == "wekan" then
         reqs[#reqs + 1] = wrk.format("GET", "/wekan/api/user", { Authorization = "Bearer " .. tok })
      else
         reqs[#reqs + 1] = wrk.format("POST", "/m3o/v1/user/ReadSession",
            { Authorization = "Bearer " .. key, ["Content-Type"] = "application/json" },
            '{"session_id":"' .. tok .. '"}')
      end
   end
   i = (tid or 0) * 7
end

function request()
   i = i + 1
   return reqs[(i % #reqs) + 1]
end
